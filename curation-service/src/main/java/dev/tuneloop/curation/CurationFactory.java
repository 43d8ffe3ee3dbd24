package dev.tuneloop.curation;

import dev.tuneloop.curation.grpc.CurationGrpcEndpoint;
import dev.tuneloop.curation.pipeline.CurationTopics;
import dev.tuneloop.curation.pipeline.CurationWorker;
import dev.tuneloop.curation.pipeline.TemplateProfiles;
import dev.tuneloop.curation.policy.PolicyBook;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.curation.retrain.JobTracker;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.servicekit.supervision.Supervisor;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.conventions.StringConvention;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Wires the plain curation classes as beans. */
@Factory
public class CurationFactory {

  @Singleton
  PolicyBook policies(Environment environment) {
    Map<String, String> flat = new HashMap<>();
    environment
        .getProperties("curation", StringConvention.RAW)
        .forEach(
            (k, v) -> {
              if (k.startsWith("defaults.") || k.startsWith("datasets.")) {
                flat.put(k, String.valueOf(v).replaceAll("^\\[|]$", ""));
              }
            });
    return PolicyProperties.parse(flat);
  }

  /**
   * Token counts use the built-in base model's tokenizer (stories260K, the platform's default
   * base).
   */
  @Singleton
  TemplateProfiles templateProfiles() {
    return new TemplateProfiles(Llama2cTokenizer.stories260K());
  }

  @Singleton
  StatsBook stats() {
    return new StatsBook();
  }

  @Singleton
  RetrainPlanner planner(CurationConfiguration config) {
    return new RetrainPlanner(config.jobTimeout());
  }

  @Singleton
  CurationTopics topics(TopicsConfiguration config) {
    return config.toTopics();
  }

  @Singleton
  @Bean(preDestroy = "close")
  CurationWorker worker(
      CurationConfiguration config,
      KafkaSettings kafka,
      CurationTopics topics,
      PolicyBook policies,
      TemplateProfiles templates,
      StatsBook stats,
      RetrainPlanner planner,
      ObjectStore store,
      Supervisor supervisor) {
    return new CurationWorker(
        new CurationWorker.Config(
            kafka,
            topics,
            config.group(),
            config.transactionalId(),
            config.scheduleCheckInterval()),
        policies,
        templates,
        stats,
        planner,
        store,
        Clock.systemUTC(),
        supervisor);
  }

  @Singleton
  @Bean(preDestroy = "close")
  JobTracker jobTracker(
      KafkaSettings kafka, CurationTopics topics, RetrainPlanner planner, Supervisor supervisor) {
    return new JobTracker(kafka, topics.trainingEvents(), planner, supervisor);
  }

  @Singleton
  CurationGrpcEndpoint grpcEndpoint(
      StatsBook stats, RetrainPlanner planner, CurationWorker worker) {
    return new CurationGrpcEndpoint(stats, planner, worker.quality());
  }
}
