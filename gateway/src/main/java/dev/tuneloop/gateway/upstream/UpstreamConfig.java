package dev.tuneloop.gateway.upstream;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Where the gateway finds the services behind it ({@code host:port} or any gRPC target such as
 * {@code dns:///x:9090}), how long a call may take, and the service token it calls them with (one
 * of their {@code tuneloop.auth.service-tokens}; see docs/security.md).
 */
@ConfigurationProperties("tuneloop.gateway.upstreams")
public record UpstreamConfig(
    @Nullable String serviceToken,
    @Bindable(defaultValue = "localhost:50051") String ingest,
    @Bindable(defaultValue = "localhost:50052") String curation,
    @Bindable(defaultValue = "localhost:50053") String trainer,
    @Bindable(defaultValue = "localhost:50054") String inference,
    @Bindable(defaultValue = "30s") Duration callTimeout,
    @Bindable(defaultValue = "10m") Duration chatTimeout) {}
