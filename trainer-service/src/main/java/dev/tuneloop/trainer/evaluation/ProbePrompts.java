package dev.tuneloop.trainer.evaluation;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import java.util.List;

/**
 * The default probe prompts of the forgetting guard: plain text in the base model's own domain (no
 * chat template), whose greedy continuations show whether an adapter still leaves the base model's
 * ordinary behaviour alone.
 */
public final class ProbePrompts {

  private ProbePrompts() {}

  /** For the built-in stories260K, trained on TinyStories: openings of such stories. */
  public static final List<String> TINY_STORIES =
      List.of(
          "Once upon a time, there was a little girl named",
          "Tom and his dog went to the park. They",
          "One day, a little bird found a shiny",
          "Lily liked to play with her ball. One day,",
          "The sun was shining and the sky was blue. Ben",
          "Mom said, \"It is time to go to bed.\" Sue",
          "There was a big red car in the garden. The",
          "Max was sad because he lost his toy.",
          "Once upon a time, in a small house, there lived a",
          "The cat saw a little mouse under the table.",
          "Anna and her friend wanted to build a",
          "It was a cold day, so Sam put on his");

  /** For any other base model: general English openings. */
  public static final List<String> GENERAL =
      List.of(
          "The capital of France is",
          "Water boils at a temperature of",
          "The first thing to do when you wake up is",
          "In the morning, the city streets are",
          "A good way to learn a new language is",
          "The history of the printing press began",
          "To make a cup of tea, you first",
          "The planets of the solar system are",
          "When it rains, people usually",
          "The main ingredients of bread are",
          "A computer program is a set of",
          "On weekends, many families like to");

  /** The defaults for a base model, by its name ({@code BaseModelId.name()}). */
  public static List<String> forModel(String baseModelName) {
    return BuiltinModels.STORIES260K.equals(baseModelName) ? TINY_STORIES : GENERAL;
  }
}
