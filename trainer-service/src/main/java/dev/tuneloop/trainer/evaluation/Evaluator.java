package dev.tuneloop.trainer.evaluation;

import ai.djl.pytorch.jni.JniUtils;
import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.generate.BatchGenerator;
import dev.tuneloop.llm.generate.BatchRequest;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.SamplingParams;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.ResidentAdapters;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.GoldenResult;
import dev.tuneloop.trainer.engine.EvalLoss;
import dev.tuneloop.trainer.engine.SupervisedSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores a candidate adapter, the production version and the base model side by side:
 *
 * <ul>
 *   <li>eval loss on the current eval split and on production's (prior) split, as the trainer
 *       measures it ({@link EvalLoss});
 *   <li>golden prompts: each rendered as a user turn with the chat template's generation prompt,
 *       answered greedily (stopping at EOS or the template's end of turn), scored with {@link
 *       GoldenScore};
 *   <li>the forgetting guard: greedy continuations of plain-text probe prompts in the base model's
 *       own domain; drift is the share that differ from the base model's, and probe perplexity the
 *       model's perplexity on the base model's continuations (teacher forced).
 * </ul>
 *
 * <p>Answers are decoded as inference serves them: the adapters resident in slots, every model's
 * prompts in one {@link BatchGenerator} batch (each sequence gets exactly what it would alone), so
 * the whole evaluation takes a few batched decodes instead of one per prompt and model.
 * Deterministic (greedy, no dropout); runs on the calling thread with autograd off (restored
 * after); every native array it makes is freed before it returns.
 */
public final class Evaluator {

  private final EvaluationSettings settings;

  public Evaluator(EvaluationSettings settings) {
    this.settings = settings;
  }

  /** One model under evaluation and where its adapter sits for decoding (0: the base model). */
  private record Model(String version, LoraSet lora, int slot) {}

  /**
   * The report's scores, counts and golden results; the caller fills tenant, name, version,
   * dataset, job, policy, decision and time.
   *
   * @throws IllegalArgumentException when an adapter is neither a {@link LoraAdapter} nor {@link
   *     LoraSet#NONE}
   */
  public EvalReport.Builder evaluate(EvaluationInputs in) {
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (ResidentAdapters resident =
        new ResidentAdapters(in.base().config(), maxRank(in), in.base().manager())) {
      var models = new ArrayList<Model>();
      models.add(new Model("", LoraSet.NONE, 0));
      models.add(model(resident, "candidate", in.candidateVersion(), in.candidate()));
      if (in.production() != null) {
        models.add(model(resident, "production", in.productionVersion(), in.production()));
      }
      var generator = new BatchGenerator(in.base().model(), in.base().tokenizer());

      List<int[]> goldenPrompts = goldenPrompts(in);
      List<List<GenerationResult>> answers =
          decode(
              generator,
              resident,
              models,
              goldenPrompts,
              SamplingParams.greedy(settings.goldenMaxTokens())
                  .withStop(in.template().stopSequences()));
      List<int[]> probePrompts = probePrompts(in);
      List<List<GenerationResult>> continuations =
          decode(
              generator,
              resident,
              models,
              probePrompts,
              SamplingParams.greedy(settings.probeTokens()));
      List<SupervisedSequence> teacherForced = teacherForced(probePrompts, continuations.get(0));

      var scored = new ArrayList<Scored>();
      for (int m = 0; m < models.size(); m++) {
        scored.add(
            score(
                in,
                models.get(m),
                answers.get(m),
                continuations.get(m),
                continuations.get(0),
                teacherForced));
      }
      return report(in, scored, probePrompts.size());
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  /** One model's scores, with its golden answers in prompt order. */
  private record Scored(EvalScores scores, List<String> answers, List<GoldenScore> golden) {}

  private Scored score(
      EvaluationInputs in,
      Model model,
      List<GenerationResult> answers,
      List<GenerationResult> continuations,
      List<GenerationResult> baseContinuations,
      List<SupervisedSequence> teacherForced) {
    int microBatch = in.config().microBatchSize();
    var scores = EvalScores.newBuilder().setVersion(model.version());
    if (!in.eval().isEmpty()) {
      scores.setEvalLoss(EvalLoss.of(in.base().model(), model.lora(), in.eval(), microBatch));
    }
    if (!in.priorEval().isEmpty()) {
      scores.setPriorEvalLoss(
          EvalLoss.of(in.base().model(), model.lora(), in.priorEval(), microBatch));
    }

    var texts = new ArrayList<String>();
    var golden = new ArrayList<GoldenScore>();
    for (int i = 0; i < answers.size(); i++) {
      String answer = answers.get(i).text().strip();
      texts.add(answer);
      golden.add(GoldenScore.of(answer, in.golden().get(i).getExpected()));
    }
    if (!golden.isEmpty()) {
      scores
          .setGoldenScore(golden.stream().mapToDouble(GoldenScore::f1).average().orElseThrow())
          .setGoldenExact(share(golden.stream().filter(GoldenScore::exact).count(), golden.size()))
          .setGoldenContains(
              share(golden.stream().filter(GoldenScore::contains).count(), golden.size()));
    }

    if (!continuations.isEmpty()) {
      int differing = 0;
      for (int i = 0; i < continuations.size(); i++) {
        boolean same =
            Arrays.equals(continuations.get(i).tokens(), baseContinuations.get(i).tokens());
        differing += same ? 0 : 1;
      }
      scores
          .setDrift(share(differing, continuations.size()))
          .setProbePerplexity(
              Math.exp(EvalLoss.of(in.base().model(), model.lora(), teacherForced, microBatch)));
    }
    return new Scored(scores.build(), texts, golden);
  }

  private static EvalReport.Builder report(
      EvaluationInputs in, List<Scored> scored, int probeCount) {
    Scored candidate = scored.get(1);
    Scored production = scored.size() > 2 ? scored.get(2) : null;
    var report =
        EvalReport.newBuilder()
            .setBase(scored.get(0).scores())
            .setCandidate(candidate.scores())
            .setEvalExamples(in.eval().size())
            .setPriorEvalExamples(in.priorEval().size())
            .setGoldenPrompts(in.golden().size())
            .setProbePrompts(probeCount);
    if (production != null) {
      report.setProduction(production.scores());
    }
    for (int i = 0; i < in.golden().size(); i++) {
      GoldenPrompt golden = in.golden().get(i);
      var result =
          GoldenResult.newBuilder()
              .setPrompt(golden.getPrompt())
              .setExpected(golden.getExpected())
              .setCandidateAnswer(candidate.answers().get(i))
              .setCandidateF1(candidate.golden().get(i).f1());
      if (production != null) {
        result
            .setProductionAnswer(production.answers().get(i))
            .setProductionF1(production.golden().get(i).f1());
      }
      report.addGolden(result);
    }
    return report;
  }

  /** Every model's continuation of every prompt, decoded in one batch: result [model][prompt]. */
  private static List<List<GenerationResult>> decode(
      BatchGenerator generator,
      ResidentAdapters resident,
      List<Model> models,
      List<int[]> prompts,
      SamplingParams params) {
    var out = new ArrayList<List<GenerationResult>>();
    if (prompts.isEmpty()) {
      models.forEach(m -> out.add(List.of()));
      return out;
    }
    var requests = new ArrayList<BatchRequest>();
    for (Model model : models) {
      for (int[] prompt : prompts) {
        requests.add(BatchRequest.of(prompt, params).withAdapterSlot(model.slot()));
      }
    }
    List<GenerationResult> results = generator.generate(requests, resident);
    for (int m = 0; m < models.size(); m++) {
      out.add(results.subList(m * prompts.size(), (m + 1) * prompts.size()));
    }
    return out;
  }

  private static Model model(ResidentAdapters resident, String role, String version, LoraSet lora) {
    return switch (lora) {
      case LoraAdapter adapter -> new Model(version, adapter, resident.put(role, adapter));
      case LoraSet none when none == LoraSet.NONE -> new Model(version, none, 0);
      default ->
          throw new IllegalArgumentException(
              role + ": a LoraAdapter or LoraSet.NONE, not " + lora.getClass().getSimpleName());
    };
  }

  private static int maxRank(EvaluationInputs in) {
    int rank = 1;
    for (LoraSet lora : Arrays.asList(in.candidate(), in.production())) {
      if (lora instanceof LoraAdapter adapter) {
        rank = Math.max(rank, adapter.spec().r());
      }
    }
    return rank;
  }

  /** Each golden prompt as a user turn with the template's generation prompt, as inference does. */
  private static List<int[]> goldenPrompts(EvaluationInputs in) {
    var out = new ArrayList<int[]>();
    for (int i = 0; i < in.golden().size(); i++) {
      String prompt = in.golden().get(i).getPrompt();
      int[] tokens =
          in.template().tokenizePrompt(List.of(ChatMessage.user(prompt)), in.base().tokenizer());
      out.add(fitting(in, tokens, "golden prompt " + (i + 1) + " (" + quoted(prompt) + ")"));
    }
    return out;
  }

  /** The probe prompts as plain text, with BOS first when the model's sequences start with it. */
  private List<int[]> probePrompts(EvaluationInputs in) {
    Tokenizer tokenizer = in.base().tokenizer();
    var out = new ArrayList<int[]>();
    for (String text : settings.probePromptsFor(in.base().id().name())) {
      int[] ids = tokenizer.encode(text);
      if (tokenizer.addsBos()) {
        int[] withBos = new int[ids.length + 1];
        withBos[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        ids = withBos;
      }
      out.add(
          fitting(in, ids, "probe prompt " + quoted(text) + " (trainer.evaluation.probe-prompts)"));
    }
    return out;
  }

  /** A prompt that leaves room for at least one token in the model's context, or a clear error. */
  private static int[] fitting(EvaluationInputs in, int[] tokens, String what) {
    int context = in.base().config().maxSeqLen();
    if (tokens.length >= context) {
      throw new IllegalArgumentException(
          what
              + " is "
              + tokens.length
              + " tokens, more than the base model's context of "
              + context
              + " leaves room to answer; shorten it");
    }
    return tokens;
  }

  private static String quoted(String text) {
    return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
  }

  /** Prompt + the base model's continuation, the continuation supervised. */
  private static List<SupervisedSequence> teacherForced(
      List<int[]> prompts, List<GenerationResult> baseContinuations) {
    var out = new ArrayList<SupervisedSequence>();
    for (int i = 0; i < prompts.size(); i++) {
      int[] prompt = prompts.get(i);
      int[] continuation = baseContinuations.get(i).tokens();
      int[] tokens = Arrays.copyOf(prompt, prompt.length + continuation.length);
      System.arraycopy(continuation, 0, tokens, prompt.length, continuation.length);
      boolean[] supervised = new boolean[tokens.length];
      Arrays.fill(supervised, prompt.length, tokens.length, true);
      out.add(new SupervisedSequence(tokens, supervised));
    }
    return out;
  }

  private static double share(long count, int of) {
    return (double) count / of;
  }
}
