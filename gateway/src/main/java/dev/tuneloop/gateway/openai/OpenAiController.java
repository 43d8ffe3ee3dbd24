package dev.tuneloop.gateway.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.gateway.api.ApiErrors;
import dev.tuneloop.gateway.api.ApiException;
import dev.tuneloop.gateway.api.JsonBodies;
import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * OpenAI-compatible chat: {@code POST /v1/chat/completions} (unary or SSE) and {@code GET
 * /v1/models}.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class OpenAiController {
  static final String DONE = "[DONE]";

  private final Upstreams upstreams;

  public OpenAiController(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  @Post(
      uri = "/chat/completions",
      consumes = MediaType.ALL,
      produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  public HttpResponse<?> chatCompletions(HttpRequest<?> http, @Body String body) {
    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    ChatCompletionRequest parsed =
        ChatCompletionRequest.parse(JsonBodies.parse(body), Tenant.of(http), id);
    long created = System.currentTimeMillis() / 1000;
    if (parsed.stream()) {
      ChunkForwarder forwarder = stream(id, created, parsed);
      return servedBy(
          HttpResponse.ok(forwarder.events()).contentType(MediaType.TEXT_EVENT_STREAM_TYPE),
          parsed.request().getAdapter(),
          forwarder.version,
          forwarder.alias);
    }
    ChatResponse response = complete(http, parsed.request());
    return servedBy(
        HttpResponse.ok(
                ChatCompletionJson.completion(id, created, parsed.model(), response).toString())
            .contentType(MediaType.APPLICATION_JSON_TYPE),
        parsed.request().getAdapter(),
        response.getAdapterVersion(),
        response.getAdapterAlias());
  }

  /**
   * The headers naming the version that answered and the alias it was reached through, so a client
   * (or a log) sees which version served it without parsing the body.
   */
  private static <T> MutableHttpResponse<T> servedBy(
      MutableHttpResponse<T> response, String requestedAdapter, String version, String alias) {
    if (!version.isEmpty() || requestedAdapter.isEmpty()) {
      response.header(ChatCompletionJson.VERSION_HEADER, ChatCompletionJson.servedVersion(version));
    }
    if (!alias.isEmpty()) {
      response.header(ChatCompletionJson.ALIAS_HEADER, alias);
    }
    return response;
  }

  /**
   * A unary chat that ends when the HTTP client does: if its connection closes before the answer,
   * the gRPC call is cancelled, and inference stops decoding that sequence at its next token (a
   * blocking stub would let it generate to the end for nobody).
   */
  private ChatResponse complete(HttpRequest<?> http, ChatRequest request) {
    UnaryCall call = new UnaryCall();
    upstreams.inferenceStreaming(request.getTenant()).chat(request, call);
    Channel connection =
        http instanceof NettyHttpRequest<?> netty
            ? netty.getChannelHandlerContext().channel()
            : null;
    ChannelFutureListener clientGone = closed -> call.cancel();
    if (connection != null) {
      connection.closeFuture().addListener(clientGone);
    }
    try {
      return call.answer.join();
    } catch (CompletionException e) {
      throw UpstreamErrors.toApi(Upstreams.INFERENCE, e.getCause());
    } finally {
      if (connection != null) {
        connection.closeFuture().removeListener(clientGone); // keep-alive: the next request's turn
      }
    }
  }

  /**
   * Server-sent events: one {@code data: {chunk}} per generated piece, then {@code data: [DONE]}.
   * The HTTP status waits for the first chunk, so a request inference refuses (unknown adapter,
   * say) gets a proper JSON error; an error after that becomes a final {@code data: {"error": ...}}
   * event, as OpenAI does. A client that goes away cancels the gRPC call, which stops generation
   * upstream.
   */
  private ChunkForwarder stream(String id, long created, ChatCompletionRequest parsed) {
    ChunkForwarder forwarder = new ChunkForwarder(id, created, parsed.model());
    upstreams
        .inferenceStreaming(parsed.request().getTenant())
        .chatStream(parsed.request(), forwarder);
    forwarder.awaitFirstSignal();
    return forwarder;
  }

  @Get(uri = "/models", produces = MediaType.APPLICATION_JSON)
  public String models(HttpRequest<?> http) {
    ListAdaptersRequest request =
        ListAdaptersRequest.newBuilder().setTenant(Tenant.of(http)).build();
    ListAdaptersResponse adapters =
        UpstreamErrors.call(
            Upstreams.INFERENCE, () -> upstreams.inference(Tenant.of(http)).listAdapters(request));
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("object", "list");
    var data = root.putArray("data");
    for (String model : ModelIds.of(adapters)) {
      ObjectNode entry = data.addObject();
      entry.put("id", model);
      entry.put("object", "model");
      entry.put("created", 0);
      entry.put("owned_by", "tuneloop");
    }
    return root.toString();
  }

  /** One unary Chat call, cancellable while it runs. */
  private static final class UnaryCall
      implements ClientResponseObserver<ChatRequest, ChatResponse> {
    final CompletableFuture<ChatResponse> answer = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<ChatRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<ChatRequest> requestStream) {
      this.call = requestStream;
    }

    void cancel() {
      if (!answer.isDone()) {
        call.cancel("HTTP client went away", null);
      }
    }

    @Override
    public void onNext(ChatResponse response) {
      answer.complete(response);
    }

    @Override
    public void onError(Throwable error) {
      answer.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
      answer.completeExceptionally(
          new IllegalStateException("inference-service ended the chat without an answer"));
    }
  }

  /**
   * Bridges the gRPC stream into SSE events, cancelling the call when the HTTP client disconnects.
   */
  private static final class ChunkForwarder
      implements ClientResponseObserver<ChatRequest, ChatChunk> {
    private final Sinks.Many<Event<String>> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<Void> firstSignal = new CompletableFuture<>();
    private final String id;
    private final long created;
    private final String model;
    private volatile ClientCallStreamObserver<ChatRequest> call;
    private boolean first = true;

    /** The version that answers (and its alias), from the first chunk that names it. */
    volatile String version = "";

    volatile String alias = "";

    ChunkForwarder(String id, long created, String model) {
      this.id = id;
      this.created = created;
      this.model = model;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ChatRequest> call) {
      this.call = call;
    }

    /**
     * Blocks until the first chunk or the error; an error before any chunk is thrown as the HTTP
     * answer.
     */
    void awaitFirstSignal() {
      try {
        firstSignal.join();
      } catch (CompletionException e) {
        throw UpstreamErrors.toApi(Upstreams.INFERENCE, e.getCause());
      }
    }

    Flux<Event<String>> events() {
      return sink.asFlux().doOnCancel(() -> call.cancel("HTTP client went away", null));
    }

    @Override
    public void onNext(ChatChunk chunk) {
      if (version.isEmpty() && !chunk.getAdapterVersion().isEmpty()) {
        version = chunk.getAdapterVersion();
        alias = chunk.getAdapterAlias();
      }
      sink.tryEmitNext(
          Event.of(ChatCompletionJson.chunk(id, created, model, version, chunk, first).toString()));
      first = false;
      firstSignal.complete(null);
    }

    @Override
    public void onError(Throwable error) {
      if (firstSignal.completeExceptionally(error)) {
        return;
      }
      ApiException api = UpstreamErrors.toApi(Upstreams.INFERENCE, error);
      sink.tryEmitNext(
          Event.of(
              ApiErrors.body(api.status(), api.type(), api.param(), api.getMessage()).toString()));
      sink.tryEmitComplete();
    }

    @Override
    public void onCompleted() {
      firstSignal.complete(null);
      sink.tryEmitNext(Event.of(DONE));
      sink.tryEmitComplete();
    }
  }
}
