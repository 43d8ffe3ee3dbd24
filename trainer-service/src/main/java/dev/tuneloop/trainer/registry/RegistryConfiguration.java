package dev.tuneloop.trainer.registry;

import dev.tuneloop.platform.kafka.Topics;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Settings of the adapter registry (prefix {@code trainer.registry}).
 *
 * @param aliasesTopic the compacted topic of alias states
 * @param maxHistory alias moves kept in an adapter's history (older ones are dropped)
 * @param maxGoldenPrompts golden prompts a dataset may have
 * @param maxGoldenFieldBytes UTF-8 bytes of one golden prompt's prompt, and of its expected answer
 * @param moveTimeout how long an alias move waits for Kafka's ack and for the view to read it
 */
@ConfigurationProperties("trainer.registry")
public record RegistryConfiguration(
    @Bindable(defaultValue = Topics.ADAPTERS_ALIASES) String aliasesTopic,
    @Bindable(defaultValue = "1000") int maxHistory,
    @Bindable(defaultValue = "1000") int maxGoldenPrompts,
    @Bindable(defaultValue = "4096") int maxGoldenFieldBytes,
    @Bindable(defaultValue = "30s") Duration moveTimeout) {

  /** The defaults, for code outside Micronaut (tests, tools). */
  public static RegistryConfiguration defaults() {
    return new RegistryConfiguration(
        Topics.ADAPTERS_ALIASES, 1000, 1000, 4096, Duration.ofSeconds(30));
  }
}
