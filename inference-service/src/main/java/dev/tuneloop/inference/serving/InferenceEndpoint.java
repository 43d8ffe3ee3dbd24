package dev.tuneloop.inference.serving;

import dev.tuneloop.inference.adapters.AdapterNotFoundException;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.AdapterUnavailableException;
import dev.tuneloop.inference.adapters.AliasTargetUnavailableException;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.llm.chat.ChatTemplateException;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import dev.tuneloop.proto.v1.Usage;
import dev.tuneloop.servicekit.auth.Caller;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC face of {@link ChatService}: converts, hands off, maps failures to statuses. A call
 * chats with and lists the adapters of the tenant of its credentials ({@link Caller}) only.
 */
public class InferenceEndpoint extends InferenceServiceGrpc.InferenceServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceEndpoint.class);

  private final ChatService chats;
  private final AdapterRegistry<ServedAdapter> adapters;

  public InferenceEndpoint(ChatService chats, AdapterRegistry<ServedAdapter> adapters) {
    this.chats = chats;
    this.adapters = adapters;
  }

  @Override
  public void chat(ChatRequest request, StreamObserver<ChatResponse> responses) {
    ServerCallStreamObserver<ChatResponse> call =
        (ServerCallStreamObserver<ChatResponse>) responses;
    start(responses, () -> chats.chat(ownTenant(request), piece -> {}, call::isCancelled))
        .thenAccept(
            result -> {
              if (result.outcome().cancelled()) {
                return;
              }
              responses.onNext(
                  ChatResponse.newBuilder()
                      .setText(result.outcome().text())
                      .setFinishReason(result.outcome().finishReason())
                      .setUsage(usage(result.outcome()))
                      .setAdapterVersion(result.adapterVersion())
                      .setAdapterAlias(result.adapterAlias())
                      .build());
              responses.onCompleted();
            });
  }

  /**
   * Each piece of text goes out as it is generated; a client cancel stops the generation at the
   * next token. Every chunk names the adapter version and alias that answer: the request resolved
   * them once, before its first token, so they are the same on all of its chunks.
   */
  @Override
  public void chatStream(ChatRequest request, StreamObserver<ChatChunk> responses) {
    ServerCallStreamObserver<ChatChunk> call = (ServerCallStreamObserver<ChatChunk>) responses;
    call.setOnCancelHandler(() -> LOG.debug("client cancelled {}", request.getRequestId()));
    start(
            responses,
            () -> {
              ChatService.Prepared prepared = chats.prepare(ownTenant(request));
              String version = prepared.adapterVersion();
              String alias = prepared.adapterAlias();
              return prepared.submit(
                  piece ->
                      call.onNext(
                          ChatChunk.newBuilder()
                              .setDelta(piece)
                              .setAdapterVersion(version)
                              .setAdapterAlias(alias)
                              .build()),
                  call::isCancelled);
            })
        .thenAccept(
            result -> {
              if (result.outcome().cancelled()) {
                return;
              }
              call.onNext(
                  ChatChunk.newBuilder()
                      .setFinishReason(result.outcome().finishReason())
                      .setUsage(usage(result.outcome()))
                      .setAdapterVersion(result.adapterVersion())
                      .setAdapterAlias(result.adapterAlias())
                      .build());
              call.onCompleted();
            });
  }

  @Override
  public void listAdapters(
      ListAdaptersRequest request, StreamObserver<ListAdaptersResponse> responses) {
    String tenant;
    try {
      tenant = Caller.tenantFor(request.getTenant());
    } catch (StatusRuntimeException e) {
      responses.onError(e);
      return;
    }
    responses.onNext(
        ListAdaptersResponse.newBuilder().addAllAdapters(adapters.list(tenant)).build());
    responses.onCompleted();
  }

  /** The request with the caller's tenant: another tenant's adapters are never reachable. */
  private static ChatRequest ownTenant(ChatRequest request) {
    return request.toBuilder().setTenant(Caller.tenantFor(request.getTenant())).build();
  }

  private static Usage usage(ChatEngine.Outcome outcome) {
    return Usage.newBuilder()
        .setPromptTokens(outcome.promptTokens())
        .setCompletionTokens(outcome.completionTokens())
        .build();
  }

  /** Starts the work; any failure, now or later, ends the call with a status that says why. */
  private static <T> CompletableFuture<ChatService.Result> start(
      StreamObserver<T> responses,
      java.util.function.Supplier<CompletableFuture<ChatService.Result>> work) {
    CompletableFuture<ChatService.Result> future;
    try {
      future = work.get();
    } catch (RuntimeException e) {
      responses.onError(toStatus(e));
      return new CompletableFuture<>(); // never completes: the call is over
    }
    return future.whenComplete(
        (result, error) -> {
          if (error != null) {
            ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) responses;
            if (!call.isCancelled()) {
              responses.onError(
                  toStatus(error instanceof CompletionException c ? c.getCause() : error));
            }
          }
        });
  }

  static StatusRuntimeException toStatus(Throwable e) {
    if (e instanceof StatusRuntimeException status) { // e.g. PERMISSION_DENIED from Caller
      return status;
    }
    Status status =
        switch (e) {
          case AdapterNotFoundException x -> Status.NOT_FOUND;
          case AdapterUnavailableException x -> Status.FAILED_PRECONDITION;
          // an alias's version cannot be served: no fallback (every replica answers alike)
          case AliasTargetUnavailableException x -> Status.UNAVAILABLE;
          case GenerationScheduler.QueueFullException x -> Status.RESOURCE_EXHAUSTED;
          case IllegalArgumentException x ->
              Status.INVALID_ARGUMENT; // incl. a prompt longer than the context
          case ChatTemplateException x ->
              Status.INVALID_ARGUMENT; // the conversation does not fit the template
          default -> {
            LOG.error("chat failed", e);
            yield Status.INTERNAL;
          }
        };
    return status.withDescription(e.getMessage()).asRuntimeException();
  }
}
