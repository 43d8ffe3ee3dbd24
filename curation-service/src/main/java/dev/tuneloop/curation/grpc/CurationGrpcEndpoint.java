package dev.tuneloop.curation.grpc;

import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.servicekit.auth.Caller;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/** gRPC CurationService: a dataset's decision counts and retrain state, for the caller's tenant. */
public class CurationGrpcEndpoint extends CurationServiceGrpc.CurationServiceImplBase {

  private final StatsBook stats;
  private final RetrainPlanner planner;

  public CurationGrpcEndpoint(StatsBook stats, RetrainPlanner planner) {
    this.stats = stats;
    this.planner = planner;
  }

  @Override
  public void getDatasetStats(DatasetStatsRequest request, StreamObserver<DatasetStats> response) {
    String tenant;
    try {
      tenant = Caller.tenantFor(request.getTenant()); // the credentials' tenant, never another
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    if (request.getDataset().isBlank()) {
      response.onError(
          Status.INVALID_ARGUMENT.withDescription("dataset is required").asRuntimeException());
      return;
    }
    response.onNext(stats(tenant, request.getDataset()));
    response.onCompleted();
  }

  DatasetStats stats(String tenant, String dataset) {
    String key = Topics.datasetKey(tenant, dataset);
    DatasetStats.Builder b = stats.stats(tenant, dataset);
    b.setCuratedSinceLastTraining(planner.curatedSinceLastRequest(key, b.getCurated()));
    planner
        .lastRequest(key)
        .ifPresent(
            r ->
                b.setLastSnapshot(r.manifestKey())
                    .setLastTrainingRequestedAt(Timestamps.of(r.at())));
    return b.build();
  }
}
