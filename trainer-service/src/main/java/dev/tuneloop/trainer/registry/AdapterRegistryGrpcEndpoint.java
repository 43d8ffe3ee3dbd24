package dev.tuneloop.trainer.registry;

import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.AdapterRegistryServiceGrpc;
import dev.tuneloop.proto.v1.GetAdapterRequest;
import dev.tuneloop.proto.v1.GetGoldenPromptsRequest;
import dev.tuneloop.proto.v1.GetPromotionPolicyRequest;
import dev.tuneloop.proto.v1.GoldenPrompts;
import dev.tuneloop.proto.v1.GoldenPromptsSummary;
import dev.tuneloop.proto.v1.PromoteRequest;
import dev.tuneloop.proto.v1.PromotionPolicy;
import dev.tuneloop.proto.v1.PutGoldenPromptsRequest;
import dev.tuneloop.proto.v1.RollbackRequest;
import dev.tuneloop.proto.v1.SetPromotionPolicyRequest;
import dev.tuneloop.servicekit.auth.Caller;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AdapterRegistryService gRPC endpoint: converts and hands off to {@link AdapterRegistry}, for
 * the tenant of the call's credentials ({@link Caller}).
 */
public class AdapterRegistryGrpcEndpoint
    extends AdapterRegistryServiceGrpc.AdapterRegistryServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(AdapterRegistryGrpcEndpoint.class);

  private final AdapterRegistry registry;

  public AdapterRegistryGrpcEndpoint(AdapterRegistry registry) {
    this.registry = registry;
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> void unary(StreamObserver<T> observer, Call<T> call) {
    T result;
    try {
      result = call.run();
    } catch (Exception e) {
      observer.onError(status(e));
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  @Override
  public void getAdapter(GetAdapterRequest request, StreamObserver<AdapterDetails> observer) {
    unary(observer, () -> registry.get(tenant(), request.getName()));
  }

  @Override
  public void promote(PromoteRequest request, StreamObserver<AdapterDetails> observer) {
    unary(
        observer,
        () ->
            registry.promote(
                tenant(), request.getName(), request.getVersion(), request.getReason()));
  }

  @Override
  public void rollback(RollbackRequest request, StreamObserver<AdapterDetails> observer) {
    unary(observer, () -> registry.rollback(tenant(), request.getName(), request.getReason()));
  }

  @Override
  public void putGoldenPrompts(
      PutGoldenPromptsRequest request, StreamObserver<GoldenPromptsSummary> observer) {
    unary(
        observer,
        () ->
            GoldenPromptsSummary.newBuilder()
                .setDataset(request.getDataset())
                .setCount(
                    registry.putGolden(
                        tenant(),
                        request.getDataset(),
                        request.getPromptsList(),
                        request.getReplace()))
                .build());
  }

  @Override
  public void getGoldenPrompts(
      GetGoldenPromptsRequest request, StreamObserver<GoldenPrompts> observer) {
    unary(
        observer,
        () ->
            GoldenPrompts.newBuilder()
                .setDataset(request.getDataset())
                .addAllPrompts(registry.golden(tenant(), request.getDataset()))
                .build());
  }

  @Override
  public void getPromotionPolicy(
      GetPromotionPolicyRequest request, StreamObserver<PromotionPolicy> observer) {
    unary(observer, () -> registry.policy(tenant(), request.getDataset()));
  }

  @Override
  public void setPromotionPolicy(
      SetPromotionPolicyRequest request, StreamObserver<PromotionPolicy> observer) {
    unary(observer, () -> registry.setPolicy(tenant(), request.getDataset(), request.getPolicy()));
  }

  /** The caller's tenant; "default" when auth is disabled. */
  private static String tenant() {
    return Caller.current().scope("");
  }

  /**
   * Registry errors become their status with the message; anything else is INTERNAL, logged here
   * and described to the caller without internals (endpoints, bucket names, traces).
   */
  private static Throwable status(Exception e) {
    if (e instanceof StatusException || e instanceof StatusRuntimeException) {
      return e;
    }
    if (e instanceof RegistryException r) {
      Status status =
          switch (r.kind()) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case INVALID -> Status.INVALID_ARGUMENT;
            case PRECONDITION -> Status.FAILED_PRECONDITION;
          };
      return status.withDescription(r.getMessage()).asException();
    }
    log.error("adapter registry call failed", e);
    return Status.INTERNAL
        .withDescription("the adapter registry failed; the trainer's log has the details")
        .asException();
  }
}
