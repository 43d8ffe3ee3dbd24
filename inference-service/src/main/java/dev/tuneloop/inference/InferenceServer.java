package dev.tuneloop.inference;

import dev.tuneloop.inference.adapters.AdapterLoader;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.AdapterSlots;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.inference.serving.ChatService;
import dev.tuneloop.inference.serving.InferenceEndpoint;
import dev.tuneloop.inference.serving.LlmChatEngine;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The inference gRPC service on a server of the caller's choosing, without Micronaut: for other
 * modules' tests (the gateway's) and embedding. The Micronaut service wires the same parts in
 * {@link InferenceFactory}.
 */
public final class InferenceServer implements AutoCloseable {
  private final Server server;
  private final AdapterRegistry<ServedAdapter> adapters;
  private final ChatService chats;
  private final AdapterSlots slots;

  private InferenceServer(
      Server server,
      AdapterRegistry<ServedAdapter> adapters,
      ChatService chats,
      AdapterSlots slots) {
    this.server = server;
    this.adapters = adapters;
    this.chats = chats;
    this.slots = slots;
  }

  /** Starts serving {@code model} (not closed by this server) on the given server builder. */
  public static InferenceServer start(
      ServerBuilder<?> builder,
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
    try {
      Server server = builder.addService(new InferenceEndpoint(chats, adapters)).build().start();
      return new InferenceServer(server, adapters, chats, slots);
    } catch (IOException e) {
      chats.close();
      adapters.close();
      slots.close();
      throw new UncheckedIOException("cannot start the inference gRPC server", e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Where publications and alias states go (what the adapters.published and adapters.aliases
   * consumers feed in the service).
   */
  public AdapterRegistry<ServedAdapter> adapters() {
    return adapters;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    chats.close();
    adapters.close();
    slots.close();
  }
}
