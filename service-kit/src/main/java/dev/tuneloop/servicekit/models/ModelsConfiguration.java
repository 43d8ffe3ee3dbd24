package dev.tuneloop.servicekit.models;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * Where base models may come from besides the built-ins and {@code models/} in the object store.
 *
 * @param allowedModelDirs local directories (absolute) whose checkpoints a job or the inference
 *     service may load; empty (the default): no local path is accepted
 */
@ConfigurationProperties("tuneloop.models")
public record ModelsConfiguration(@Nullable List<String> allowedModelDirs) {
  public ModelsConfiguration {
    allowedModelDirs =
        allowedModelDirs == null
            ? List.of()
            : allowedModelDirs.stream().filter(d -> !d.isBlank()).toList();
  }
}
