package dev.tuneloop.inference;

import dev.tuneloop.platform.kafka.Topics;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Creator;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code tuneloop.inference.*}.
 *
 * @param baseModel "stories260K" (built in), an object key prefix under models/, or a local
 *     checkpoint inside {@code tuneloop.models.allowed-model-dirs} ({@link BaseModels})
 * @param residentAdapters adapters kept in memory at once; the least recently used is evicted
 *     beyond that
 * @param concurrency batches decoding at once
 * @param queueCapacity generations waiting beyond that before requests are refused
 *     (RESOURCE_EXHAUSTED)
 * @param consumeAdapters read adapters.published and adapters.aliases (off: serve the base model
 *     only)
 * @param adaptersTopic the topic of AdapterPublished events
 * @param maxBatchSize generations decoded together in one batch at most
 * @param maxAdapterRank the highest LoRA rank served; resident adapters are zero-padded to it
 * @param maxTokens the most tokens one request may ask to generate ({@code max_tokens}); more is
 *     refused with INVALID_ARGUMENT naming this setting, so one request cannot hold a batch slot
 *     for a model's whole context
 * @param aliasesTopic the topic of AdapterAliases records (the alias state of each adapter)
 */
@ConfigurationProperties("tuneloop.inference")
public record InferenceConfig(
    @Bindable(defaultValue = "stories260K") String baseModel,
    @Bindable(defaultValue = "8") int residentAdapters,
    @Bindable(defaultValue = "2") int concurrency,
    @Bindable(defaultValue = "64") int queueCapacity,
    @Bindable(defaultValue = "true") boolean consumeAdapters,
    @Bindable(defaultValue = Topics.ADAPTERS_PUBLISHED) String adaptersTopic,
    @Bindable(defaultValue = "8") int maxBatchSize,
    @Bindable(defaultValue = "16") int maxAdapterRank,
    @Bindable(defaultValue = "4096") int maxTokens,
    @Bindable(defaultValue = Topics.ADAPTERS_ALIASES) String aliasesTopic) {

  /** The default of {@code tuneloop.inference.max-tokens}. */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  @Creator
  public InferenceConfig {}

  /** With the default aliases topic ({@value Topics#ADAPTERS_ALIASES}). */
  public InferenceConfig(
      String baseModel,
      int residentAdapters,
      int concurrency,
      int queueCapacity,
      boolean consumeAdapters,
      String adaptersTopic,
      int maxBatchSize,
      int maxAdapterRank,
      int maxTokens) {
    this(
        baseModel,
        residentAdapters,
        concurrency,
        queueCapacity,
        consumeAdapters,
        adaptersTopic,
        maxBatchSize,
        maxAdapterRank,
        maxTokens,
        Topics.ADAPTERS_ALIASES);
  }

  /** With the default token limit ({@value #DEFAULT_MAX_TOKENS}). */
  public InferenceConfig(
      String baseModel,
      int residentAdapters,
      int concurrency,
      int queueCapacity,
      boolean consumeAdapters,
      String adaptersTopic,
      int maxBatchSize,
      int maxAdapterRank) {
    this(
        baseModel,
        residentAdapters,
        concurrency,
        queueCapacity,
        consumeAdapters,
        adaptersTopic,
        maxBatchSize,
        maxAdapterRank,
        DEFAULT_MAX_TOKENS);
  }

  /** With the default batch size (8) and maximum adapter rank (16). */
  public InferenceConfig(
      String baseModel,
      int residentAdapters,
      int concurrency,
      int queueCapacity,
      boolean consumeAdapters,
      String adaptersTopic) {
    this(
        baseModel,
        residentAdapters,
        concurrency,
        queueCapacity,
        consumeAdapters,
        adaptersTopic,
        8,
        16,
        DEFAULT_MAX_TOKENS);
  }
}
