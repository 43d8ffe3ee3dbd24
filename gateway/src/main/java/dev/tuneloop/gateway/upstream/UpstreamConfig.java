package dev.tuneloop.gateway.upstream;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Where the gateway finds the services behind it ({@code host:port} or any gRPC target such as
 * {@code dns:///x:9090}), and how long a call may take.
 */
@ConfigurationProperties("tuneloop.gateway.upstreams")
public record UpstreamConfig(
    @Bindable(defaultValue = "localhost:50051") String ingest,
    @Bindable(defaultValue = "localhost:50052") String curation,
    @Bindable(defaultValue = "localhost:50053") String trainer,
    @Bindable(defaultValue = "localhost:50054") String inference,
    @Bindable(defaultValue = "30s") Duration callTimeout,
    @Bindable(defaultValue = "10m") Duration chatTimeout) {}
