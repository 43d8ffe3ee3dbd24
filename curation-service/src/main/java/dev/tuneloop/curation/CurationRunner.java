package dev.tuneloop.curation;

import dev.tuneloop.curation.pipeline.CurationWorker;
import dev.tuneloop.curation.retrain.JobTracker;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * Starts the curation loop and the job tracker once the context (and its Kafka/S3 startup check) is
 * up.
 */
@Singleton
public class CurationRunner {

  private final CurationWorker worker;
  private final JobTracker jobs;

  CurationRunner(CurationWorker worker, JobTracker jobs) {
    this.worker = worker;
    this.jobs = jobs;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    jobs.start();
    worker.start();
  }
}
