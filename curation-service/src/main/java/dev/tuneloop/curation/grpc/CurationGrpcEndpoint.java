package dev.tuneloop.curation.grpc;

import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.stats.QualityBook;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.proto.v1.QualityReport;
import dev.tuneloop.proto.v1.QualityReportRequest;
import dev.tuneloop.servicekit.auth.Caller;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/**
 * gRPC CurationService: a dataset's decision counts, retrain state and quality report, for the
 * caller's tenant.
 */
public class CurationGrpcEndpoint extends CurationServiceGrpc.CurationServiceImplBase {

  private final StatsBook stats;
  private final RetrainPlanner planner;
  private final QualityBook quality;

  public CurationGrpcEndpoint(StatsBook stats, RetrainPlanner planner, QualityBook quality) {
    this.stats = stats;
    this.planner = planner;
    this.quality = quality;
  }

  @Override
  public void getDatasetStats(DatasetStatsRequest request, StreamObserver<DatasetStats> response) {
    String tenant = tenant(request.getTenant(), request.getDataset(), response);
    if (tenant != null) {
      response.onNext(stats(tenant, request.getDataset()));
      response.onCompleted();
    }
  }

  @Override
  public void getQualityReport(
      QualityReportRequest request, StreamObserver<QualityReport> response) {
    String tenant = tenant(request.getTenant(), request.getDataset(), response);
    if (tenant != null) {
      response.onNext(quality.report(tenant, request.getDataset()));
      response.onCompleted();
    }
  }

  /** The credentials' tenant, never another; null once the call was answered with an error. */
  private static String tenant(String asked, String dataset, StreamObserver<?> response) {
    try {
      String tenant = Caller.tenantFor(asked);
      if (dataset.isBlank()) {
        throw Status.INVALID_ARGUMENT.withDescription("dataset is required").asRuntimeException();
      }
      return tenant;
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return null;
    }
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
