package dev.tuneloop.trainer.engine;

/** The learning-rate shape after warmup, named as in Hugging Face's {@code lr_scheduler_type}. */
public enum LrSchedulerType {
  COSINE,
  LINEAR,
  CONSTANT
}
