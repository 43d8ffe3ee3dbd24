package dev.tuneloop.trainer;

import com.google.protobuf.MessageLite;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.servicekit.models.BaseModelResolver;
import dev.tuneloop.servicekit.models.ModelsConfiguration;
import dev.tuneloop.servicekit.supervision.Supervisor;
import dev.tuneloop.trainer.evaluation.EvaluationConfiguration;
import dev.tuneloop.trainer.evaluation.Evaluator;
import dev.tuneloop.trainer.registry.AdapterRegistry;
import dev.tuneloop.trainer.registry.AdapterRegistryGrpcEndpoint;
import dev.tuneloop.trainer.registry.AdapterVersions;
import dev.tuneloop.trainer.registry.AliasView;
import dev.tuneloop.trainer.registry.AliasWriter;
import dev.tuneloop.trainer.registry.GoldenPromptsStore;
import dev.tuneloop.trainer.registry.PromotionConfiguration;
import dev.tuneloop.trainer.registry.PromotionPolicies;
import dev.tuneloop.trainer.registry.RegistryConfiguration;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;

/** Wires the plain-Java parts of the trainer into the Micronaut context. */
@Factory
public class TrainerFactory {

  @Singleton
  JobRegistry jobRegistry() {
    return new JobRegistry();
  }

  @Singleton
  JobEvents jobEvents(
      Producer<String, MessageLite> producer, TrainerConfiguration config, JobRegistry registry) {
    return new JobEvents(producer, config.eventsTopic(), registry);
  }

  @Context
  @Bean(preDestroy = "close")
  EventsView eventsView(
      KafkaSettings kafka,
      TrainerConfiguration config,
      JobRegistry registry,
      Supervisor supervisor) {
    return new EventsView(kafka, config.eventsTopic(), registry, supervisor).start();
  }

  @Context
  @Bean(preDestroy = "close")
  AliasView aliasView(
      KafkaSettings kafka,
      TrainerConfiguration config,
      RegistryConfiguration registry,
      Supervisor supervisor) {
    return new AliasView(kafka, registry.aliasesTopic(), config.publishedTopic(), supervisor)
        .start();
  }

  @Singleton
  AliasWriter aliasWriter(
      AliasView view, Producer<String, MessageLite> producer, RegistryConfiguration registry) {
    return new AliasWriter(
        view, producer, registry.aliasesTopic(), registry.maxHistory(), registry.moveTimeout());
  }

  @Singleton
  PromotionPolicies promotionPolicies(ObjectStore store, PromotionConfiguration promotion) {
    return new PromotionPolicies(store, promotion.toPolicy());
  }

  @Singleton
  GoldenPromptsStore goldenPrompts(ObjectStore store, RegistryConfiguration registry) {
    return new GoldenPromptsStore(
        store, registry.maxGoldenPrompts(), registry.maxGoldenFieldBytes());
  }

  @Singleton
  AdapterVersions adapterVersions(ObjectStore store) {
    return new AdapterVersions(store);
  }

  /** Registered on the gRPC server like every BindableService bean. */
  @Singleton
  AdapterRegistryGrpcEndpoint adapterRegistryEndpoint(
      AliasView view,
      AliasWriter writer,
      AdapterVersions versions,
      GoldenPromptsStore golden,
      PromotionPolicies policies) {
    return new AdapterRegistryGrpcEndpoint(
        new AdapterRegistry(view, writer, versions, golden, policies));
  }

  /** The base-model rule shared with the inference service; downloads go to work-dir/models. */
  @Singleton
  BaseModelResolver baseModelResolver(
      TrainerConfiguration config, ModelsConfiguration models, ObjectStore store) {
    return new BaseModelResolver(
        Set.of(BuiltinModels.STORIES260K),
        store,
        Path.of(config.workDir()).resolve("models"),
        models.allowedModelDirs());
  }

  @Singleton
  TrainerApi trainerApi(
      JobRegistry registry,
      JobEvents events,
      Producer<String, MessageLite> producer,
      TrainerConfiguration config,
      ObjectStore store,
      TrainerLimits limits,
      BaseModelResolver models) {
    return new TrainerApi(
        registry, events, producer, config.requestsTopic(), store, limits, models);
  }

  @Context
  @Bean(preDestroy = "close")
  QueuedRequests queuedRequests(
      KafkaSettings kafka,
      Admin admin,
      TrainerConfiguration config,
      JobRegistry registry,
      JobEvents events,
      EventsView view,
      Supervisor supervisor) {
    return new QueuedRequests(
            kafka,
            admin,
            config.group(),
            config.requestsTopic(),
            registry,
            events,
            view.caughtUp(),
            supervisor)
        .start();
  }

  @Context
  @Requires(property = "trainer.worker-enabled", notEquals = "false")
  @Bean(preDestroy = "close")
  TrainingWorker trainingWorker(
      KafkaSettings kafka,
      TrainerConfiguration config,
      ObjectStore store,
      Producer<String, MessageLite> producer,
      JobEvents events,
      JobRegistry registry,
      EventsView view,
      TrainerLimits limits,
      Supervisor supervisor,
      BaseModelResolver models,
      AliasView aliases,
      AliasWriter aliasWriter,
      AdapterVersions versions,
      GoldenPromptsStore golden,
      PromotionPolicies policies,
      EvaluationConfiguration evaluation,
      WarmStartConfiguration warmStart) {
    Path work = Path.of(config.workDir());
    var publisher =
        new AdapterPublisher(store, producer, config.publishedTopic(), work.resolve("adapters"));
    var release =
        new VersionRelease(
            store,
            publisher,
            aliases,
            aliasWriter,
            versions,
            golden,
            policies,
            new Evaluator(evaluation.toSettings()),
            work.resolve("versions"));
    var runner =
        new JobRunner(
            store,
            new BaseModels(models),
            events,
            publisher,
            release,
            warmStart.learningRateScale(),
            config.progressInterval(),
            limits);
    var worker =
        new TrainingWorker(
            kafka,
            config.group(),
            config.requestsTopic(),
            runner::run,
            events,
            registry,
            new RequestCheck(store, limits),
            producer,
            new TrainingWorker.Limits(
                config.rejectedTopic(), config.maxAttempts(), limits.maxDuration()),
            view.caughtUp(),
            supervisor);
    worker.start();
    return worker;
  }
}
