package dev.tuneloop.trainer.evaluation;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.trainer.engine.SupervisedSequence;
import dev.tuneloop.trainer.engine.TrainingConfig;
import java.util.List;
import java.util.Objects;

/**
 * Everything one evaluation compares: a candidate adapter against the production version (if any)
 * and the base model.
 *
 * @param template the chat template the candidate trained with (golden prompts are rendered with
 *     it)
 * @param config the job's config (its micro_batch_size batches the eval forwards)
 * @param eval the current eval split, tokenized and fitted as for training ({@code
 *     PreparedData.eval()})
 * @param priorEval the eval split production was evaluated on; empty when there is no production
 * @param candidateVersion the candidate's version id
 * @param production the production adapter, or null when the adapter has no production version
 * @param productionVersion its version id, or null with it
 */
public record EvaluationInputs(
    LoadedModel base,
    ChatTemplate template,
    TrainingConfig config,
    List<SupervisedSequence> eval,
    List<SupervisedSequence> priorEval,
    List<GoldenPrompt> golden,
    LoraSet candidate,
    String candidateVersion,
    LoraSet production,
    String productionVersion) {

  public EvaluationInputs {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(candidateVersion, "candidateVersion");
    eval = List.copyOf(eval);
    priorEval = List.copyOf(priorEval);
    golden = List.copyOf(golden);
    if (production != null) {
      Objects.requireNonNull(productionVersion, "productionVersion (production is given)");
    }
  }
}
