package dev.tuneloop.ingest;

import com.google.protobuf.Timestamp;
import dev.tuneloop.ingest.format.InputFormat;
import dev.tuneloop.ingest.format.ParsedBody;
import dev.tuneloop.ingest.format.RecordParser;
import dev.tuneloop.ingest.transcript.TranscriptSplitter;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.Source;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import java.time.Clock;
import java.util.List;

/**
 * Turns submissions into validated examples with ids; no I/O. Throws {@link InvalidRecordException}
 * on bad input.
 */
public final class Intake {

  private final RecordParser parser = new RecordParser();
  private final TranscriptSplitter splitter = new TranscriptSplitter();
  private final IngestLimits limits;
  private final Clock clock;

  public Intake(IngestLimits limits, Clock clock) {
    this.limits = limits;
    this.clock = clock;
  }

  public Example toExample(SubmitRequest request, Source source) {
    limits.checkPayload(request.getSerializedSize());
    IngestLimits.checkIdempotencyKey(request.getIdempotencyKey());
    Example.Builder example =
        Example.newBuilder()
            .setTenant(request.getTenant())
            .setDataset(request.getDataset())
            .setSource(source)
            .putAllMetadata(request.getMetadataMap())
            .setReceivedAt(now());
    switch (request.getRecordCase()) {
      case PAIR -> example.setPair(request.getPair()).setFormat(InputFormat.PAIR.wireName());
      case CONVERSATION ->
          example.setConversation(request.getConversation()).setFormat("conversation");
      case JSON ->
          parser.parse(request.getJson(), InputFormat.parse(request.getFormat())).applyTo(example);
      case RECORD_NOT_SET ->
          throw new InvalidRecordException("request has no record: set pair, conversation or json");
    }
    limits.check(example);
    return example.setId(IdempotencyKeys.idFor(request.getIdempotencyKey(), example)).build();
  }

  /** A JSON record from the Kafka input topic, already addressed to a tenant and dataset. */
  public Example toExample(
      String tenant, String dataset, String json, String format, String idempotencyKey) {
    limits.checkPayload(json.length());
    IngestLimits.checkIdempotencyKey(idempotencyKey);
    Example.Builder example =
        Example.newBuilder()
            .setTenant(tenant)
            .setDataset(dataset)
            .setSource(Source.SOURCE_KAFKA)
            .setReceivedAt(now());
    ParsedBody body = parser.parse(json, InputFormat.parse(format));
    body.applyTo(example);
    limits.check(example);
    return example.setId(IdempotencyKeys.idFor(idempotencyKey, example)).build();
  }

  public List<Example> toExamples(SubmitTranscriptRequest request) {
    limits.checkPayload(request.getSerializedSize());
    IngestLimits.checkName("tenant", request.getTenant());
    IngestLimits.checkName("dataset", request.getDataset());
    TranscriptSplitter.Plan plan =
        splitter.plan(request.getTranscript(), request.getPolicy(), request.getSystem());
    limits.checkExpansion(
        TranscriptSplitter.label(request.getTranscript()), request.getPolicy(), plan.expansion());
    Timestamp now = now();
    return plan.examples().stream()
        .map(
            t -> {
              Example.Builder example =
                  Example.newBuilder()
                      .setTenant(request.getTenant())
                      .setDataset(request.getDataset())
                      .setSource(Source.SOURCE_TRANSCRIPT)
                      .setConversation(t.conversation())
                      .putAllMetadata(t.metadata())
                      .setFormat("transcript")
                      .setReceivedAt(now);
              limits.check(example);
              return example.setId(IdempotencyKeys.idFor(null, example)).build();
            })
        .toList();
  }

  private Timestamp now() {
    return Timestamps.of(clock.instant());
  }
}
