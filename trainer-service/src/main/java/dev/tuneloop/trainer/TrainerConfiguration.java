package dev.tuneloop.trainer;

import dev.tuneloop.platform.kafka.Topics;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * trainer-service settings (prefix {@code trainer}).
 *
 * @param group consumer group of the training workers
 * @param workDir local scratch space: downloaded base models, adapter files before upload
 * @param workerEnabled whether this instance runs jobs (false: API only)
 * @param progressInterval least time between two RUNNING events of a job
 * @param maxAttempts attempts at a job that fails on an internal error before it ends FAILED
 * @param rejectedTopic dead letters: training requests the trainer cannot take, with the reason
 */
@ConfigurationProperties("trainer")
public record TrainerConfiguration(
    @Bindable(defaultValue = "trainer-workers") String group,
    @Bindable(defaultValue = Topics.TRAINING_REQUESTS) String requestsTopic,
    @Bindable(defaultValue = Topics.TRAINING_EVENTS) String eventsTopic,
    @Bindable(defaultValue = Topics.ADAPTERS_PUBLISHED) String publishedTopic,
    @Bindable(defaultValue = "${java.io.tmpdir}/tuneloop-trainer") String workDir,
    @Bindable(defaultValue = "true") boolean workerEnabled,
    @Bindable(defaultValue = "2s") Duration progressInterval,
    @Bindable(defaultValue = "3") int maxAttempts,
    @Bindable(defaultValue = Topics.TRAINING_REQUESTS_REJECTED) String rejectedTopic) {}
