package dev.tuneloop.curation;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code curation.*} settings of the service itself (the per-dataset rules live under {@code
 * curation.defaults} and {@code curation.datasets}, read by {@code PolicyProperties}).
 *
 * @param group consumer group on examples.raw ({@code curation.group})
 * @param transactionalId stable per instance, unique across instances ({@code
 *     curation.transactional-id}, env CURATION_TRANSACTIONAL_ID); a restarted instance with the
 *     same id fences its predecessor
 * @param scheduleCheckInterval how often retrain schedules are checked for idle datasets
 * @param jobTimeout a requested job with no event for this long no longer blocks its adapter's next
 *     retrain ({@code curation.job-timeout}): a trainer that lost it must not stall the adapter
 *     forever
 */
@ConfigurationProperties("curation")
public record CurationConfiguration(
    @Bindable(defaultValue = "curation-service") String group,
    @Bindable(defaultValue = "curation-service-0") String transactionalId,
    @Bindable(defaultValue = "30s") Duration scheduleCheckInterval,
    @Bindable(defaultValue = "6h") Duration jobTimeout) {}
