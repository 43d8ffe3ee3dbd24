package dev.tuneloop.curation.retrain;

import java.util.List;
import java.util.Random;

/**
 * Seeded prompts of two kinds for the drift tests: support questions (what a dataset trained on,
 * and more of the same) and cooking questions (a shifted distribution). Each is a template with
 * slot words, as real traffic repeats its phrasings.
 */
public final class DriftPrompts {

  private static final List<String> SUPPORT_TEMPLATES =
      List.of(
          "How do I reset my %s from the %s?",
          "My %s is not working since the %s update, what should I do?",
          "Can I get a refund for my %s order of %s?",
          "Why was my %s charged twice this month?",
          "Where is my %s delivery, it was due %s?",
          "I cannot log in to my %s account after changing the %s.");
  private static final List<String> SUPPORT_WORDS =
      List.of(
          "password",
          "router",
          "account",
          "printer",
          "subscription",
          "phone",
          "laptop",
          "card",
          "firmware",
          "app",
          "parcel",
          "email",
          "yesterday",
          "monday",
          "tablet",
          "plan");
  private static final List<String> COOKING_TEMPLATES =
      List.of(
          "What temperature should the oven be for %s bread?",
          "How long do I simmer a %s sauce with %s?",
          "Can I replace butter with %s when baking a %s cake?",
          "Which spices go well with roasted %s and %s?",
          "How do I keep %s crispy after frying it with %s?");
  private static final List<String> COOKING_WORDS =
      List.of(
          "garlic",
          "tomato",
          "sourdough",
          "chicken",
          "basil",
          "honey",
          "carrots",
          "olive oil",
          "cinnamon",
          "potatoes",
          "lemon",
          "yeast",
          "chocolate",
          "fennel",
          "cumin",
          "rye");

  private final Random random;

  public DriftPrompts(long seed) {
    this.random = new Random(seed);
  }

  public String support() {
    return fill(SUPPORT_TEMPLATES, SUPPORT_WORDS);
  }

  public String cooking() {
    return fill(COOKING_TEMPLATES, COOKING_WORDS);
  }

  private String fill(List<String> templates, List<String> words) {
    String t = templates.get(random.nextInt(templates.size()));
    return String.format(
        t, words.get(random.nextInt(words.size())), words.get(random.nextInt(words.size())));
  }
}
