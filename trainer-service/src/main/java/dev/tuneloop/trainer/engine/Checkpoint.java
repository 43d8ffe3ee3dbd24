package dev.tuneloop.trainer.engine;

/**
 * A resumable snapshot of a job: the loop's {@link TrainerState} and its tensors (LoRA parameters, AdamW moments,
 * the best-eval parameters) encoded with DJL's {@code NDList.encode}, which is exact for float32.
 */
public record Checkpoint(TrainerState state, byte[] tensors) {}
