package dev.tuneloop.inference;

import dev.tuneloop.inference.adapters.AdapterEventsConsumer;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.PeftAdapterLoader;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.inference.serving.InferenceEndpoint;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.servicekit.models.ModelsConfiguration;
import dev.tuneloop.servicekit.supervision.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * Wires the plain-Java serving parts ({@link ServingParts}) into beans; the gRPC server picks up
 * {@link InferenceEndpoint}. Off with {@code tuneloop.inference.enabled: false}, for applications
 * that only have this module on their classpath.
 */
@Factory
@Requires(property = "tuneloop.inference.enabled", notEquals = "false")
public class InferenceFactory {

  /**
   * Loaded eagerly, once: the first request should not pay for it, and a bad model should stop the
   * start.
   */
  @Context
  @Bean(preDestroy = "close")
  LoadedModel baseModel(InferenceConfig config, ObjectStore store, ModelsConfiguration models) {
    return BaseModels.load(config.baseModel(), store, models.allowedModelDirs());
  }

  /** Closes the chat service, the registry and the adapter slots at shutdown. */
  @Singleton
  @Bean(preDestroy = "close")
  ServingParts servingParts(
      InferenceConfig config, LoadedModel model, ObjectStore store, MeterRegistry meters) {
    return ServingParts.build(model, new PeftAdapterLoader(store, model), config, meters);
  }

  @Singleton
  AdapterRegistry<ServedAdapter> adapterRegistry(ServingParts parts) {
    return parts.adapters();
  }

  @Singleton
  InferenceEndpoint inferenceEndpoint(ServingParts parts) {
    return parts.endpoint();
  }

  @Context
  @Bean(preDestroy = "close")
  @Requires(property = "tuneloop.inference.consume-adapters", notEquals = "false")
  AdapterEventsConsumer<AdapterPublished> adapterEvents(
      InferenceConfig config,
      KafkaSettings kafka,
      AdapterRegistry<ServedAdapter> adapters,
      Supervisor supervisor) {
    return AdapterEventsConsumer.published(
            kafka, config.adaptersTopic(), adapters::publish, supervisor)
        .start();
  }

  @Context
  @Bean(preDestroy = "close")
  @Requires(property = "tuneloop.inference.consume-adapters", notEquals = "false")
  AdapterEventsConsumer<AdapterAliases> adapterAliases(
      InferenceConfig config,
      KafkaSettings kafka,
      AdapterRegistry<ServedAdapter> adapters,
      Supervisor supervisor) {
    return AdapterEventsConsumer.aliases(
            kafka, config.aliasesTopic(), adapters::setAliases, supervisor)
        .start();
  }
}
