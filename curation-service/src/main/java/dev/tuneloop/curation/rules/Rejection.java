package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.RejectReason;

/** Why one rule refused an example, in words a dataset author can act on. */
public record Rejection(RejectReason reason, String detail) {

  public dev.tuneloop.proto.v1.Rejection toProto() {
    return dev.tuneloop.proto.v1.Rejection.newBuilder().setReason(reason).setDetail(detail).build();
  }
}
