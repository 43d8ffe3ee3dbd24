package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.QualityReportRequest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * What curation rejected in a dataset and why (curation-service's quality report), for a person
 * tuning the dataset's curation policy.
 */
@Controller("/v1/datasets/{dataset}")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DatasetQualityController {
  private final Upstreams upstreams;

  public DatasetQualityController(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  @Get(uri = "/quality", produces = MediaType.APPLICATION_JSON)
  public String quality(HttpRequest<?> http, @PathVariable String dataset) {
    DatasetController.checkDataset(dataset);
    QualityReportRequest request =
        QualityReportRequest.newBuilder().setTenant(Tenant.of(http)).setDataset(dataset).build();
    return JsonBodies.print(
        UpstreamErrors.call(
            Upstreams.CURATION,
            () -> upstreams.curation(Tenant.of(http)).getQualityReport(request)));
  }
}
