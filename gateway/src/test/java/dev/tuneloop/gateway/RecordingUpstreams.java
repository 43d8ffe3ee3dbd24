package dev.tuneloop.gateway;

import com.google.protobuf.Message;
import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterRegistryServiceGrpc;
import dev.tuneloop.proto.v1.AdapterVersion;
import dev.tuneloop.proto.v1.AliasMove;
import dev.tuneloop.proto.v1.CancelJobRequest;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.proto.v1.DuplicateCluster;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.GetAdapterRequest;
import dev.tuneloop.proto.v1.GetGoldenPromptsRequest;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.GetPromotionPolicyRequest;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.GoldenPrompts;
import dev.tuneloop.proto.v1.GoldenPromptsSummary;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.ListJobsResponse;
import dev.tuneloop.proto.v1.PromoteRequest;
import dev.tuneloop.proto.v1.PromotionPolicy;
import dev.tuneloop.proto.v1.PutGoldenPromptsRequest;
import dev.tuneloop.proto.v1.QualityReport;
import dev.tuneloop.proto.v1.QualityReportRequest;
import dev.tuneloop.proto.v1.ReasonReport;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedSample;
import dev.tuneloop.proto.v1.RollbackRequest;
import dev.tuneloop.proto.v1.SetPromotionPolicyRequest;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test doubles of the ingest, curation, trainer (jobs and the adapter registry) and inference gRPC
 * contracts on one real gRPC server: they record what the gateway sends and answer as the contracts
 * say, so the gateway's own mapping (tenant, bodies, statuses) is checked.
 */
final class RecordingUpstreams implements AutoCloseable {
  final List<SubmitRequest> submitted = new CopyOnWriteArrayList<>();
  final List<SubmitTranscriptRequest> transcripts = new CopyOnWriteArrayList<>();
  final List<DatasetStatsRequest> statsRequests = new CopyOnWriteArrayList<>();
  final List<QualityReportRequest> qualityRequests = new CopyOnWriteArrayList<>();
  final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();

  /** The tenant each call's credentials stood for (the gateway's service token + tenant header). */
  final List<String> callerTenants = new CopyOnWriteArrayList<>();

  /** Completed when a chat stream's client cancelled it. */
  final CompletableFuture<String> chatCancelled = new CompletableFuture<>();

  /** The registry's adapters by "{tenant}/{name}", as a test seeds them. */
  final Map<String, AdapterDetails> adapters = new ConcurrentHashMap<>();

  /** Golden prompts and stored promotion policies by "{tenant}/{dataset}". */
  final Map<String, List<GoldenPrompt>> golden = new ConcurrentHashMap<>();

  final Map<String, PromotionPolicy> policies = new ConcurrentHashMap<>();

  /** Every registry request as the gateway sent it, and the tenant its credentials stood for. */
  final List<Message> registryRequests = new CopyOnWriteArrayList<>();

  final List<String> registryTenants = new CopyOnWriteArrayList<>();

  /** When set, the next registry call fails with this status instead. */
  final AtomicReference<Status> registryFailure = new AtomicReference<>();

  /** What ListAdapters answers, and every chat request (unary or streamed) as it arrived. */
  final AtomicReference<ListAdaptersResponse> adapterList =
      new AtomicReference<>(ListAdaptersResponse.getDefaultInstance());

  final List<ChatRequest> chats = new CopyOnWriteArrayList<>();

  private final Server server;

  RecordingUpstreams() throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new Ingest())
            .addService(new Curation())
            .addService(new Trainer())
            .addService(new Registry())
            .addService(new Inference())
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

  /**
   * Chat: an adapter request is resolved against {@link #adapterList} as inference does (plain
   * name: production; {@code name@x}: alias x, else version x) and answers "Hello" naming the
   * version and alias; a base-model stream sends one chunk and then nothing, until the client
   * cancels.
   */
  private final class Inference extends InferenceServiceGrpc.InferenceServiceImplBase {
    @Override
    public void listAdapters(
        ListAdaptersRequest request, StreamObserver<ListAdaptersResponse> response) {
      callerTenants.add(Caller.current().tenant());
      response.onNext(adapterList.get());
      response.onCompleted();
    }

    @Override
    public void chat(ChatRequest request, StreamObserver<ChatResponse> response) {
      chats.add(request);
      String[] served = resolve(request.getAdapter());
      if (served == null) {
        response.onError(unknownAdapter(request));
        return;
      }
      response.onNext(
          ChatResponse.newBuilder()
              .setText("Hello")
              .setFinishReason(FinishReason.FINISH_REASON_STOP)
              .setAdapterVersion(served[0])
              .setAdapterAlias(served[1])
              .build());
      response.onCompleted();
    }

    @Override
    public void chatStream(ChatRequest request, StreamObserver<ChatChunk> response) {
      chats.add(request);
      if (request.getAdapter().isEmpty()) {
        var call = (ServerCallStreamObserver<ChatChunk>) response;
        call.setOnCancelHandler(() -> chatCancelled.complete(request.getRequestId()));
        call.onNext(ChatChunk.newBuilder().setDelta("Once").build());
        return;
      }
      String[] served = resolve(request.getAdapter());
      if (served == null) {
        response.onError(unknownAdapter(request));
        return;
      }
      ChatChunk.Builder chunk =
          ChatChunk.newBuilder().setAdapterVersion(served[0]).setAdapterAlias(served[1]);
      response.onNext(chunk.clone().setDelta("Hel").build());
      response.onNext(
          chunk.setDelta("lo").setFinishReason(FinishReason.FINISH_REASON_STOP).build());
      response.onCompleted();
    }

    /** {version, alias} of the adapter a chat names, or null when there is none. */
    private String[] resolve(String adapter) {
      if (adapter.isEmpty()) {
        return new String[] {"", ""};
      }
      int at = adapter.indexOf('@');
      String name = at < 0 ? adapter : adapter.substring(0, at);
      String pin = at < 0 ? "production" : adapter.substring(at + 1);
      for (AdapterInfo info : adapterList.get().getAdaptersList()) {
        if (!info.getAdapter().getName().equals(name)) {
          continue;
        }
        if (info.containsAliases(pin)) {
          return new String[] {info.getAliasesOrThrow(pin), pin};
        }
        if (info.getAdapter().getVersion().equals(pin)) {
          return new String[] {pin, ""};
        }
      }
      return null;
    }

    private static RuntimeException unknownAdapter(ChatRequest request) {
      return Status.NOT_FOUND
          .withDescription("unknown adapter \"" + request.getAdapter() + "\"")
          .asRuntimeException();
    }
  }

  /**
   * AdapterRegistryService as trainer-service serves it, in memory: promotion and rollback move the
   * production alias and record the move; a policy is answered with the trainer's defaults filled
   * in.
   */
  private final class Registry extends AdapterRegistryServiceGrpc.AdapterRegistryServiceImplBase {
    static final PromotionPolicy DEFAULTS =
        PromotionPolicy.newBuilder()
            .setMode("auto")
            .setMaxEvalLossRegression(0.05)
            .setMinGoldenDelta(0)
            .setMaxDrift(1)
            .build();

    /** Records the call; false (the call answered with the failure) when one is set. */
    private boolean accept(Message request, StreamObserver<?> response) {
      registryRequests.add(request);
      registryTenants.add(Caller.current().tenant());
      Status failure = registryFailure.getAndSet(null);
      if (failure != null) {
        response.onError(failure.asRuntimeException());
        return false;
      }
      return true;
    }

    private static String key(String name) {
      return Caller.current().tenant() + "/" + name;
    }

    private static <T> void answer(StreamObserver<T> response, T value) {
      response.onNext(value);
      response.onCompleted();
    }

    @Override
    public void getAdapter(GetAdapterRequest request, StreamObserver<AdapterDetails> response) {
      if (accept(request, response)) {
        AdapterDetails details = adapters.get(key(request.getName()));
        if (details == null) {
          response.onError(
              Status.NOT_FOUND
                  .withDescription("no adapter \"" + request.getName() + "\"")
                  .asRuntimeException());
          return;
        }
        answer(response, details);
      }
    }

    @Override
    public void promote(PromoteRequest request, StreamObserver<AdapterDetails> response) {
      if (!accept(request, response)) {
        return;
      }
      AdapterDetails details = adapters.get(key(request.getName()));
      if (details == null
          || details.getVersionsList().stream()
              .noneMatch(v -> v.getAdapter().getVersion().equals(request.getVersion()))) {
        response.onError(
            Status.NOT_FOUND
                .withDescription(
                    "adapter \"" + request.getName() + "\" has no version " + request.getVersion())
                .asRuntimeException());
        return;
      }
      answer(response, move(details, request.getVersion(), request.getReason(), "promote"));
    }

    @Override
    public void rollback(RollbackRequest request, StreamObserver<AdapterDetails> response) {
      if (!accept(request, response)) {
        return;
      }
      AdapterDetails details = adapters.get(key(request.getName()));
      String previous =
          details == null
              ? ""
              : details.getHistoryList().stream()
                  .filter(m -> m.getAlias().equals("production"))
                  .reduce((a, b) -> b)
                  .map(AliasMove::getPreviousVersion)
                  .orElse("");
      if (previous.isEmpty()) {
        response.onError(
            Status.FAILED_PRECONDITION
                .withDescription(
                    "adapter \"" + request.getName() + "\" has no earlier production version")
                .asRuntimeException());
        return;
      }
      answer(response, move(details, previous, request.getReason(), "rollback"));
    }

    /** Production to {@code version}, with the move in the history and on the versions. */
    private AdapterDetails move(
        AdapterDetails details, String version, String reason, String action) {
      AdapterDetails.Builder moved =
          details.toBuilder()
              .putAliases("production", version)
              .addHistory(
                  AliasMove.newBuilder()
                      .setAlias("production")
                      .setVersion(version)
                      .setPreviousVersion(details.getAliasesOrDefault("production", ""))
                      .setActor("tenant:" + Caller.current().tenant())
                      .setReason(reason)
                      .setAction(action));
      for (AdapterVersion.Builder v : moved.getVersionsBuilderList()) {
        v.clearAliases();
        moved.getAliasesMap().entrySet().stream()
            .filter(alias -> alias.getValue().equals(v.getAdapter().getVersion()))
            .forEach(alias -> v.addAliases(alias.getKey()));
      }
      AdapterDetails result = moved.build();
      adapters.put(key(details.getName()), result);
      return result;
    }

    @Override
    public void putGoldenPrompts(
        PutGoldenPromptsRequest request, StreamObserver<GoldenPromptsSummary> response) {
      if (accept(request, response)) {
        List<GoldenPrompt> stored =
            golden.compute(
                key(request.getDataset()),
                (k, old) -> {
                  List<GoldenPrompt> all = new ArrayList<>();
                  if (old != null && !request.getReplace()) {
                    all.addAll(old);
                  }
                  all.addAll(request.getPromptsList());
                  return all;
                });
        answer(
            response,
            GoldenPromptsSummary.newBuilder()
                .setDataset(request.getDataset())
                .setCount(stored.size())
                .build());
      }
    }

    @Override
    public void getGoldenPrompts(
        GetGoldenPromptsRequest request, StreamObserver<GoldenPrompts> response) {
      if (accept(request, response)) {
        answer(
            response,
            GoldenPrompts.newBuilder()
                .setDataset(request.getDataset())
                .addAllPrompts(golden.getOrDefault(key(request.getDataset()), List.of()))
                .build());
      }
    }

    @Override
    public void getPromotionPolicy(
        GetPromotionPolicyRequest request, StreamObserver<PromotionPolicy> response) {
      if (accept(request, response)) {
        answer(response, effective(policies.get(key(request.getDataset()))));
      }
    }

    @Override
    public void setPromotionPolicy(
        SetPromotionPolicyRequest request, StreamObserver<PromotionPolicy> response) {
      if (accept(request, response)) {
        policies.put(key(request.getDataset()), request.getPolicy());
        answer(response, effective(request.getPolicy()));
      }
    }

    private static PromotionPolicy effective(PromotionPolicy stored) {
      PromotionPolicy.Builder policy = DEFAULTS.toBuilder();
      if (stored != null) {
        policy.mergeFrom(stored);
      }
      return policy.build();
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

    @Override
    public void getQualityReport(
        QualityReportRequest request, StreamObserver<QualityReport> response) {
      qualityRequests.add(request);
      callerTenants.add(Caller.current().tenant());
      RejectedSample sample =
          RejectedSample.newBuilder()
              .setExampleId("ex-9")
              .setPromptExcerpt("<b>hi</b> <|im_start|>")
              .setResponseExcerpt("Sure.")
              .setDetail("message 0 contains the template marker '<|im_start|>'")
              .build();
      response.onNext(
          QualityReport.newBuilder()
              .setTenant(request.getTenant())
              .setDataset(request.getDataset())
              .setCurated(12)
              .setRejected(4)
              .setRejectedShare(0.25)
              .addReasons(
                  ReasonReport.newBuilder()
                      .setReason(RejectReason.TEMPLATE_INJECTION)
                      .setCount(3)
                      .setShare(0.1875)
                      .addExamples(sample))
              .addClusters(
                  DuplicateCluster.newBuilder()
                      .setCuratedExampleId("ex-1")
                      .setSize(1)
                      .setExact(1)
                      .setMinSimilarity(1)
                      .setMaxSimilarity(1)
                      .setLatest(sample))
              .setClustersTracked(1)
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
