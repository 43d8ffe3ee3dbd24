package dev.tuneloop.trainer;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.ListJobsResponse;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.auth.Caller;
import dev.tuneloop.servicekit.models.BaseModelResolver;
import dev.tuneloop.servicekit.models.InvalidBaseModelException;
import dev.tuneloop.trainer.engine.InvalidSpecException;
import dev.tuneloop.trainer.engine.TrainingSpecs;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the TrainerService gRPC methods do, without the transport: validation, queueing, status,
 * cancellation. Every method acts for the caller's tenant only: a job of another tenant is answered
 * as if it did not exist (NOT_FOUND), so job ids of other tenants cannot be probed.
 */
public final class TrainerApi {

  private final JobRegistry registry;
  private final JobEvents events;
  private final Producer<String, MessageLite> producer;
  private final String requestsTopic;
  private final ObjectStore store;
  private final TrainerLimits limits;
  private final BaseModelResolver models;

  public TrainerApi(
      JobRegistry registry,
      JobEvents events,
      Producer<String, MessageLite> producer,
      String requestsTopic,
      ObjectStore store,
      TrainerLimits limits,
      BaseModelResolver models) {
    this.limits = limits;
    this.registry = registry;
    this.events = events;
    this.producer = producer;
    this.requestsTopic = requestsTopic;
    this.store = store;
    this.models = models;
  }

  /**
   * Validates, assigns a job id when missing, queues the spec on training.requests and emits
   * QUEUED. The tenant and {@code requested_by} come from the caller, not from the request.
   */
  public JobStatus submit(TrainingJobSpec submitted, Caller caller) throws Exception {
    TrainingJobSpec request =
        submitted.toBuilder()
            .setTenant(caller.scope(submitted.getTenant()))
            .setRequestedBy(caller.describe())
            .build();
    try {
      TrainingSpecs.validate(request);
      limits.check(request); // the operator's limits (trainer.limits.*)
      models.check(request.getBaseModel());
    } catch (InvalidSpecException | InvalidBaseModelException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
    }
    for (String key :
        new String[] {request.getDatasetSnapshot(), request.getEvalDatasetSnapshot()}) {
      if (!key.isBlank() && !store.exists(key)) {
        String field =
            key.equals(request.getDatasetSnapshot()) ? "dataset_snapshot" : "eval_dataset_snapshot";
        throw Status.INVALID_ARGUMENT
            .withDescription(
                "invalid training job spec: "
                    + field
                    + ": no dataset snapshot manifest at "
                    + key
                    + " in the object store")
            .asException();
      }
    }
    TrainingJobSpec spec =
        request.getJobId().isBlank()
            ? request.toBuilder().setJobId(jobIdFor(request.getAdapterName())).build()
            : request;
    if (registry.get(spec.getJobId()).isPresent()) {
      throw Status.ALREADY_EXISTS
          .withDescription("job " + spec.getJobId() + " already exists")
          .asException();
    }
    registry.remember(spec);
    // QUEUED goes out before the request, so a worker's RUNNING can never be followed by it.
    TrainingJobEvent queued = JobEvents.of(spec, JobState.QUEUED).setMessage("queued").build();
    events.publish(queued);
    producer
        .send(
            new ProducerRecord<>(
                requestsTopic, Topics.adapterKey(spec.getTenant(), spec.getAdapterName()), spec))
        .get(30, TimeUnit.SECONDS);
    return JobStatus.newBuilder().setSpec(spec).setLatest(queued).build();
  }

  /** A fresh id that passes the name rule: the adapter name cut to fit, then 8 random hex. */
  private static String jobIdFor(String adapterName) {
    String stem = adapterName.length() > 119 ? adapterName.substring(0, 119) : adapterName;
    return stem + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The job, when it is {@code tenant}'s; NOT_FOUND when it is missing or another tenant's.
   *
   * @param tenant null only when auth is disabled: any tenant's job
   */
  public JobStatus get(String jobId, String tenant) throws Exception {
    return registry
        .get(jobId)
        .filter(JobStatus::hasLatest)
        .filter(status -> tenant == null || tenant.equals(owner(status)))
        .orElseThrow(() -> Status.NOT_FOUND.withDescription("no job " + jobId).asException());
  }

  private static String owner(JobStatus status) {
    return status.getSpec().getTenant().isEmpty()
        ? status.getLatest().getTenant()
        : status.getSpec().getTenant();
  }

  /** The caller's jobs; an empty tenant field means the caller's tenant, never all tenants. */
  public ListJobsResponse list(ListJobsRequest request, Caller caller) {
    String tenant = caller.scope(request.getTenant());
    return ListJobsResponse.newBuilder()
        .addAllJobs(registry.list(tenant, request.getStatesList()))
        .build();
  }

  /**
   * Emits CANCELLED; the worker running the job (any instance) sees it and stops at its next step.
   */
  public JobStatus cancel(String jobId, String tenant) throws Exception {
    JobStatus status = get(jobId, tenant);
    if (JobRegistry.isTerminal(status.getLatest().getState())) {
      throw Status.FAILED_PRECONDITION
          .withDescription("job " + jobId + " is already " + status.getLatest().getState())
          .asException();
    }
    TrainingJobSpec spec =
        status.hasSpec()
            ? status.getSpec()
            : TrainingJobSpec.newBuilder()
                .setJobId(jobId)
                .setTenant(status.getLatest().getTenant())
                .setAdapterName(status.getLatest().getAdapterName())
                .build();
    events.publish(
        JobEvents.of(spec, JobState.CANCELLED)
            .setStep(status.getLatest().getStep())
            .setTotalSteps(status.getLatest().getTotalSteps())
            .setMessage("cancelled by request")
            .build());
    return get(jobId, tenant);
  }

  /** Streams the latest event, then every new one, and completes after a terminal event. */
  public void watch(String jobId, String tenant, StreamObserver<TrainingJobEvent> observer)
      throws Exception {
    JobStatus status = get(jobId, tenant);
    Object lock = new Object();
    Runnable[] unwatch = new Runnable[1];
    synchronized (lock) {
      unwatch[0] =
          registry.watch(
              jobId,
              event -> {
                synchronized (lock) {
                  observer.onNext(event);
                  if (JobRegistry.isTerminal(event.getState())) {
                    unwatch[0].run();
                    observer.onCompleted();
                  }
                }
              });
      TrainingJobEvent latest = registry.get(jobId).orElse(status).getLatest();
      observer.onNext(latest);
      if (JobRegistry.isTerminal(latest.getState())) {
        unwatch[0].run();
        observer.onCompleted();
        return;
      }
    }
    if (observer instanceof ServerCallStreamObserver<TrainingJobEvent> call) {
      call.setOnCancelHandler(() -> unwatch[0].run());
    }
  }
}
