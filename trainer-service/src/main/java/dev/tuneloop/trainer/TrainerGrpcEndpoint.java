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
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/** The TrainerService gRPC endpoint: converts and hands off to {@link TrainerApi}. */
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
      observer.onError(
          e instanceof StatusException
              ? e
              : Status.INTERNAL.withDescription(e.toString()).withCause(e).asException());
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  @Override
  public void submitJob(TrainingJobSpec request, StreamObserver<JobStatus> observer) {
    unary(observer, () -> api.submit(request));
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<JobStatus> observer) {
    unary(observer, () -> api.get(request.getJobId()));
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
    unary(observer, () -> api.list(request));
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<JobStatus> observer) {
    unary(observer, () -> api.cancel(request.getJobId()));
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<TrainingJobEvent> observer) {
    try {
      api.watch(request.getJobId(), observer);
    } catch (Exception e) {
      observer.onError(
          e instanceof StatusException
              ? e
              : Status.INTERNAL.withDescription(e.toString()).withCause(e).asException());
    }
  }
}
