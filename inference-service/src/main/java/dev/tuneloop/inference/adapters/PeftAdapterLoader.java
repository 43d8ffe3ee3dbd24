package dev.tuneloop.inference.adapters;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a published PEFT adapter from the object store into the served base model's shapes. The
 * publication's base model checksum is compared first, then the LLM core's loader checks the
 * adapter's own record and every tensor. The chat template is the publication's, else the one
 * {@code training.json} records.
 */
public final class PeftAdapterLoader implements AdapterLoader<ServedAdapter> {
  /**
   * The trainer's record beside the PEFT files: spec, dataset, metrics and the chat template it
   * trained with.
   */
  public static final String TRAINING_JSON = "training.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final LoadedModel model;

  public PeftAdapterLoader(ObjectStore store, LoadedModel model) {
    this.store = store;
    this.model = model;
  }

  @Override
  public ServedAdapter load(AdapterPublished published) {
    String what = "adapter " + published.getName() + "@" + published.getVersion();
    String sha = published.getBaseModelSha256();
    if (!sha.isEmpty() && !sha.equals(model.id().sha256())) {
      throw new AdapterUnavailableException(
          what
              + " was trained on base model \""
              + published.getBaseModelId()
              + "\" (sha256 "
              + abbreviate(sha)
              + ") but this service serves \""
              + model.id().name()
              + "\" (sha256 "
              + abbreviate(model.id().sha256())
              + ")",
          null);
    }
    try (ObjectDirectory files = ObjectDirectory.download(store, published.getLocation())) {
      String template =
          published.getChatTemplate().isEmpty()
              ? trainedTemplate(files.path().resolve(TRAINING_JSON))
              : published.getChatTemplate();
      LoraAdapter lora = PeftAdapters.load(files.path(), model);
      try {
        requireFinite(lora);
      } catch (RuntimeException e) {
        lora.close();
        throw e;
      }
      return new ServedAdapter(lora, template);
    } catch (AdapterUnavailableException e) {
      throw new AdapterUnavailableException(what + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new AdapterUnavailableException(
          what + " cannot be loaded from " + published.getLocation() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A NaN or infinite weight (a diverged training run, a damaged upload that still parses) would
   * turn every answer through the adapter into garbage or NaN logits: refuse it on load.
   */
  static void requireFinite(LoraAdapter lora) {
    for (int layer = 0; layer < lora.config().layers(); layer++) {
      for (LoraTarget target : lora.spec().targets()) {
        for (String matrix : new String[] {"lora_A", "lora_B"}) {
          NDArray weights = matrix.equals("lora_A") ? lora.a(layer, target) : lora.b(layer, target);
          for (float v : weights.toFloatArray()) {
            if (!Float.isFinite(v)) {
              throw new AdapterUnavailableException(
                  "tensor "
                      + PeftAdapters.name(layer, target, matrix)
                      + " contains "
                      + v
                      + " (non-finite weights cannot be served; retrain the adapter)",
                  null);
            }
          }
        }
      }
    }
  }

  /**
   * The trainer's record of the template ({@code training.json}'s {@code chat_template}), or ""
   * without one.
   */
  static String trainedTemplate(Path trainingJson) {
    if (!Files.isRegularFile(trainingJson)) {
      return "";
    }
    try {
      return JSON.readTree(trainingJson.toFile()).path("chat_template").asText("");
    } catch (IOException e) {
      throw new AdapterUnavailableException(
          TRAINING_JSON + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
