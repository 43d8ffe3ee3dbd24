package dev.tuneloop.trainer;

import dev.tuneloop.proto.v1.CancelJobRequest;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.ListJobsResponse;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.proto.v1.WatchJobRequest;
import dev.tuneloop.servicekit.auth.Caller;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/**
 * The TrainerService gRPC endpoint: converts and hands off to {@link TrainerApi}, for the tenant of
 * the call's credentials ({@link Caller}).
 */
@Singleton
public class TrainerGrpcEndpoint extends TrainerServiceGrpc.TrainerServiceImplBase {

  private final TrainerApi api;

  public TrainerGrpcEndpoint(TrainerApi api) {
    this.api = api;
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
  public void submitJob(TrainingJobSpec request, StreamObserver<JobStatus> observer) {
    unary(observer, () -> api.submit(request, Caller.current()));
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<JobStatus> observer) {
    unary(observer, () -> api.get(request.getJobId(), tenant()));
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
    unary(observer, () -> api.list(request, Caller.current()));
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<JobStatus> observer) {
    unary(observer, () -> api.cancel(request.getJobId(), tenant()));
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<TrainingJobEvent> observer) {
    try {
      api.watch(request.getJobId(), tenant(), observer);
    } catch (Exception e) {
      observer.onError(status(e));
    }
  }

  /** The caller's tenant; null when auth is disabled (then job ids are not scoped). */
  private static String tenant() {
    return Caller.current().tenant();
  }

  /** gRPC statuses pass through; anything else is an internal error, described without a trace. */
  private static Throwable status(Exception e) {
    if (e instanceof StatusException || e instanceof StatusRuntimeException) {
      return e;
    }
    return Status.INTERNAL.withDescription(e.toString()).withCause(e).asException();
  }
}
