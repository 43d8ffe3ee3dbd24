package dev.tuneloop.llm.chat;

/**
 * A conversation a template cannot render (e.g. roles out of order), or a template that cannot be
 * used.
 */
public class ChatTemplateException extends RuntimeException {

  public ChatTemplateException(String message) {
    super(message);
  }

  public ChatTemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}
