package dev.tuneloop.servicekit;

import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * gRPC server reflection (v1), so grpcurl and friends can list and call services without .proto
 * files. The standard health service ({@code grpc.health.v1.Health}) is registered by
 * micronaut-grpc itself ({@code grpc.server.health.enabled}, default true).
 */
@Factory
public class GrpcReflectionFactory {
  @Singleton
  @Requires(property = "grpc.server.reflection.enabled", notEquals = "false")
  BindableService reflectionService() {
    return ProtoReflectionServiceV1.newInstance();
  }
}
