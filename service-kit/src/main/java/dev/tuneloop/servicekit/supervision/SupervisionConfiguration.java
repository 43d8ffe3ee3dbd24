package dev.tuneloop.servicekit.supervision;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code tuneloop.supervision.*}: how a dead background loop is restarted.
 *
 * @param initialBackoff wait before the first restart; doubles with each failure in a row
 * @param maxBackoff the cap of that wait
 */
@ConfigurationProperties("tuneloop.supervision")
public record SupervisionConfiguration(
    @Bindable(defaultValue = "1s") Duration initialBackoff,
    @Bindable(defaultValue = "30s") Duration maxBackoff) {}
