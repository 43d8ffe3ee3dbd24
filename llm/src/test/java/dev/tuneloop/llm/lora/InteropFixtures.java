package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.HfExporter;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.checkpoint.Safetensors;
import dev.tuneloop.llm.model.FloatTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the Java side of the Hugging Face interoperability check (see {@code
 * tools/interop/peft_check.py}): stories260K exported by {@link HfExporter}, an adapter saved by
 * {@link PeftAdapters}, the token sequence and our logits. Run once from the repository root, then
 * run the Python script on a machine with transformers and PEFT:
 *
 * <pre>
 * java -cp &lt;llm test classpath&gt; dev.tuneloop.llm.lora.InteropFixtures llm/src/test/resources/interop
 * </pre>
 */
public final class InteropFixtures {
  static final String HF_DIR = "stories260K-hf";
  static final String JAVA_ADAPTER = "java-adapter";
  static final String PEFT_ADAPTER = "peft-adapter";
  static final String INPUTS = "inputs.json";
  static final String JAVA_LOGITS = "java-logits.safetensors";
  static final String HF_LOGITS = "hf-logits.safetensors";

  /**
   * Every projection, r = 4, alpha = 8; dropout recorded (PEFT must ignore it in eval mode, as we
   * do).
   */
  static final LoraSpec JAVA_SPEC =
      new LoraSpec(4, 8f, 0.05f, EnumSet.allOf(LoraTarget.class), false);

  static final int TOKENS = 64;

  private InteropFixtures() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "llm/src/test/resources/interop");
    Path tmp = Files.createTempDirectory("interop");
    Files.write(tmp.resolve("stories260K.bin"), BuiltinModels.resource("stories260K.bin"));
    Files.write(tmp.resolve("tok512.bin"), BuiltinModels.resource("tok512.bin"));
    HfExporter.export(
        tmp.resolve("stories260K.bin"),
        tmp.resolve("tok512.bin"),
        out.resolve(HF_DIR),
        Safetensors.DType.F32);

    try (LoadedModel model = Checkpoints.load(out.resolve(HF_DIR));
        LoraAdapter adapter =
            RandomAdapters.gaussian(
                model.config(), JAVA_SPEC, model.manager(), 2026, 0.05f, 0.05f)) {
      PeftAdapters.save(adapter, out.resolve(JAVA_ADAPTER), model.id());
      int[] tokens = tokens(model);
      new ObjectMapper()
          .writerWithDefaultPrettyPrinter()
          .writeValue(out.resolve(INPUTS).toFile(), Map.of("tokens", tokens));
      Map<String, FloatTensor> logits = new LinkedHashMap<>();
      logits.put("base", logits(model, tokens, LoraSet.NONE));
      logits.put("java_adapter", logits(model, tokens, adapter));
      Safetensors.write(
          out.resolve(JAVA_LOGITS), logits, Map.of("format", "pt"), Safetensors.DType.F32);
    }
    System.out.println("interop fixtures written to " + out.toAbsolutePath());
  }

  /**
   * BOS and the first tokens of the reference story: real text, positions 0..63 for the rotary
   * embedding.
   */
  static int[] tokens(LoadedModel model) {
    String story =
        new String(BuiltinModels.resource("expected-greedy-200.txt"), StandardCharsets.UTF_8);
    int[] text = model.tokenizer().encode(story.strip());
    int[] tokens = new int[TOKENS];
    tokens[0] = model.tokenizer().bosId();
    System.arraycopy(text, 0, tokens, 1, TOKENS - 1);
    return tokens;
  }

  /** Our (T, V) logits of one sequence, in eval mode (no dropout). */
  static FloatTensor logits(LoadedModel model, int[] tokens, LoraSet lora) {
    try (NDManager m = model.manager().newSubManager()) {
      NDArray ids = m.create(tokens, new Shape(1, tokens.length));
      float[] values = model.model().logits(ids, null, lora, false).toFloatArray();
      return FloatTensor.of(values, tokens.length, model.config().vocabSize());
    }
  }
}
