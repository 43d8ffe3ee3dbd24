package dev.tuneloop.inference;

import dev.tuneloop.inference.adapters.AdapterLoader;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The inference gRPC service on a server of the caller's choosing, without Micronaut: for other
 * modules' tests (the gateway's) and embedding. The parts are the Micronaut service's own ({@link
 * ServingParts}).
 */
public final class InferenceServer implements AutoCloseable {
  private final Server server;
  private final ServingParts parts;

  private InferenceServer(Server server, ServingParts parts) {
    this.server = server;
    this.parts = parts;
  }

  /** Starts serving {@code model} (not closed by this server) on the given server builder. */
  public static InferenceServer start(
      ServerBuilder<?> builder,
      LoadedModel model,
      AdapterLoader<ServedAdapter> loader,
      InferenceConfig config,
      MeterRegistry meters) {
    ServingParts parts = ServingParts.build(model, loader, config, meters);
    try {
      Server server = builder.addService(parts.endpoint()).build().start();
      return new InferenceServer(server, parts);
    } catch (IOException e) {
      parts.close();
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
    return parts.adapters();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    parts.close();
  }
}
