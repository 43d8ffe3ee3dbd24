package dev.tuneloop.servicekit;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code tuneloop.startup.*}: which backends this service needs and how long to wait for them
 * before failing.
 *
 * @param requireKafka {@code tuneloop.startup.require-kafka}
 * @param requireS3 {@code tuneloop.startup.require-s3}
 * @param timeout {@code tuneloop.startup.timeout}: per backend
 */
@ConfigurationProperties("tuneloop.startup")
public record StartupConfiguration(
    @Bindable(defaultValue = "true") boolean requireKafka,
    @Bindable(defaultValue = "true") boolean requireS3,
    @Bindable(defaultValue = "10s") Duration timeout) {}
