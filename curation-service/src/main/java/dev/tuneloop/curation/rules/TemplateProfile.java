package dev.tuneloop.curation.rules;

import java.util.List;

/**
 * What curation needs to know about a dataset's chat template and base model: the template's name
 * (recorded in training requests so the trainer renders alike), how to count an example's tokens,
 * the template's own delimiters, and whether it uses "### Instruction" headers.
 */
public record TemplateProfile(
    String name, TokenCounter tokens, List<String> delimiters, boolean usesHashHeaders) {}
