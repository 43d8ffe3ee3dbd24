package dev.tuneloop.gateway;

import dev.tuneloop.proto.v1.CancelJobRequest;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.ListJobsResponse;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.proto.v1.SubmitSummary;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.auth.Caller;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test doubles of the ingest, curation, trainer and (streaming) inference gRPC contracts on one
 * real gRPC server: they record what the gateway sends and answer as the contracts say, so the
 * gateway's own mapping (tenant, bodies, statuses) is checked.
 */
final class RecordingUpstreams implements AutoCloseable {
  final List<SubmitRequest> submitted = new CopyOnWriteArrayList<>();
  final List<SubmitTranscriptRequest> transcripts = new CopyOnWriteArrayList<>();
  final List<DatasetStatsRequest> statsRequests = new CopyOnWriteArrayList<>();
  final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();

  /** The tenant each call's credentials stood for (the gateway's service token + tenant header). */
  final List<String> callerTenants = new CopyOnWriteArrayList<>();

  /** Completed when a chat stream's client cancelled it. */
  final CompletableFuture<String> chatCancelled = new CompletableFuture<>();

  private final Server server;

  RecordingUpstreams() throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new Ingest())
            .addService(new Curation())
            .addService(new Trainer())
            .addService(new EndlessInference())
            .addService(new io.grpc.protobuf.services.HealthStatusManager().getHealthService())
            .intercept(TestCredentials.interceptor()) // calls without the gateway's token fail
            .build()
            .start();
  }

  String target() {
    return "localhost:" + server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private final class Ingest extends IngestServiceGrpc.IngestServiceImplBase {
    @Override
    public void submit(SubmitRequest request, StreamObserver<SubmitResponse> response) {
      submitted.add(request);
      callerTenants.add(Caller.current().tenant());
      response.onNext(SubmitResponse.newBuilder().addExampleIds("ex-" + submitted.size()).build());
      response.onCompleted();
    }

    @Override
    public StreamObserver<SubmitRequest> submitStream(StreamObserver<SubmitSummary> response) {
      return new StreamObserver<>() {
        private long received;

        @Override
        public void onNext(SubmitRequest request) {
          submitted.add(request);
          received++;
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          response.onNext(
              SubmitSummary.newBuilder().setReceived(received).setAccepted(received).build());
          response.onCompleted();
        }
      };
    }

    @Override
    public void submitTranscript(
        SubmitTranscriptRequest request, StreamObserver<SubmitResponse> response) {
      transcripts.add(request);
      response.onNext(
          SubmitResponse.newBuilder().addExampleIds("tr-1").addExampleIds("tr-2").build());
      response.onCompleted();
    }
  }

  /** Streams one chunk and then nothing, until the client cancels. */
  private final class EndlessInference extends InferenceServiceGrpc.InferenceServiceImplBase {
    @Override
    public void chatStream(ChatRequest request, StreamObserver<ChatChunk> response) {
      var call = (ServerCallStreamObserver<ChatChunk>) response;
      call.setOnCancelHandler(() -> chatCancelled.complete(request.getRequestId()));
      call.onNext(ChatChunk.newBuilder().setDelta("Once").build());
    }
  }

  private final class Curation extends CurationServiceGrpc.CurationServiceImplBase {
    @Override
    public void getDatasetStats(
        DatasetStatsRequest request, StreamObserver<DatasetStats> response) {
      statsRequests.add(request);
      callerTenants.add(Caller.current().tenant());
      response.onNext(
          DatasetStats.newBuilder()
              .setTenant(request.getTenant())
              .setDataset(request.getDataset())
              .setCurated(12)
              .setRejected(3)
              .putRejectedByReason("PII", 3)
              .build());
      response.onCompleted();
    }
  }

  private final class Trainer extends TrainerServiceGrpc.TrainerServiceImplBase {
    @Override
    public void submitJob(TrainingJobSpec spec, StreamObserver<JobStatus> response) {
      String id = "job-" + (jobs.size() + 1);
      JobStatus status =
          JobStatus.newBuilder()
              .setSpec(spec.toBuilder().setJobId(id))
              .setLatest(
                  TrainingJobEvent.newBuilder()
                      .setJobId(id)
                      .setTenant(spec.getTenant())
                      .setAdapterName(spec.getAdapterName())
                      .setState(JobState.QUEUED))
              .build();
      jobs.put(id, status);
      response.onNext(status);
      response.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<JobStatus> response) {
      JobStatus status = jobs.get(request.getJobId());
      if (status == null) {
        response.onError(
            Status.NOT_FOUND.withDescription("no job " + request.getJobId()).asRuntimeException());
        return;
      }
      response.onNext(status);
      response.onCompleted();
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
      response.onNext(
          ListJobsResponse.newBuilder()
              .addAllJobs(
                  jobs.values().stream()
                      .filter(
                          j ->
                              request.getTenant().isEmpty()
                                  || j.getSpec().getTenant().equals(request.getTenant()))
                      .filter(
                          j ->
                              request.getStatesList().isEmpty()
                                  || request.getStatesList().contains(j.getLatest().getState()))
                      .toList())
              .build());
      response.onCompleted();
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<JobStatus> response) {
      JobStatus cancelled =
          jobs.computeIfPresent(
              request.getJobId(),
              (id, j) ->
                  j.toBuilder()
                      .setLatest(j.getLatest().toBuilder().setState(JobState.CANCELLED))
                      .build());
      response.onNext(cancelled);
      response.onCompleted();
    }
  }
}
