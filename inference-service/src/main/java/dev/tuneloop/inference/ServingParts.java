package dev.tuneloop.inference;

import dev.tuneloop.inference.adapters.AdapterLoader;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.AdapterSlots;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.inference.serving.ChatService;
import dev.tuneloop.inference.serving.InferenceEndpoint;
import dev.tuneloop.inference.serving.LlmChatEngine;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The serving parts over one loaded base model, wired in the one place both the Micronaut service
 * ({@link InferenceFactory}) and the plain {@link InferenceServer} build them: the adapter slots,
 * the registry that loads adapters into them, the chat service and its gRPC endpoint. Closing it
 * closes them in reverse order; the model stays open (its owner closes it).
 */
public final class ServingParts implements AutoCloseable {

  private final AdapterSlots slots;
  private final AdapterRegistry<ServedAdapter> adapters;
  private final ChatService chats;
  private final InferenceEndpoint endpoint;

  private ServingParts(
      AdapterSlots slots, AdapterRegistry<ServedAdapter> adapters, ChatService chats) {
    this.slots = slots;
    this.adapters = adapters;
    this.chats = chats;
    this.endpoint = new InferenceEndpoint(chats, adapters);
  }

  public static ServingParts build(
      LoadedModel model,
      AdapterLoader<ServedAdapter> loader,
      InferenceConfig config,
      MeterRegistry meters) {
    AdapterSlots slots = new AdapterSlots(model, config.maxAdapterRank());
    AdapterRegistry<ServedAdapter> adapters =
        new AdapterRegistry<>(config.residentAdapters(), slots.slotting(loader));
    ChatService chats =
        new ChatService(
            adapters,
            LlmChatEngine.forModel(model, slots.resident()),
            config.concurrency(),
            config.maxBatchSize(),
            config.queueCapacity(),
            config.maxTokens(),
            meters);
    return new ServingParts(slots, adapters, chats);
  }

  /** Where publications and alias states go (what the adapter event consumers feed). */
  public AdapterRegistry<ServedAdapter> adapters() {
    return adapters;
  }

  /** The gRPC service to add to a server. */
  public InferenceEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    chats.close();
    adapters.close();
    slots.close();
  }
}
