package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Role;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The canonical chat of an example: pairs become system? / user / assistant; text is Unicode NFC
 * with Unix line ends, trailing spaces removed, at most one blank line in a row, and no surrounding
 * whitespace. Duplicates are judged on this form, so whitespace noise does not hide them.
 */
public final class Normalizer {

  private static final Pattern TRAILING_SPACE = Pattern.compile("[ \\t]+(?=\\n)");
  private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

  private Normalizer() {}

  public static List<ChatMessage> messages(Example example) {
    List<ChatMessage> raw =
        example.hasConversation()
            ? example.getConversation().getMessagesList()
            : pair(example.getPair());
    List<ChatMessage> out = new ArrayList<>(raw.size());
    for (ChatMessage m : raw) {
      out.add(m.toBuilder().setContent(text(m.getContent())).build());
    }
    return out;
  }

  public static String text(String s) {
    String t =
        java.text.Normalizer.normalize(s, Form.NFC).replace("\r\n", "\n").replace('\r', '\n');
    t = TRAILING_SPACE.matcher(t).replaceAll("");
    return BLANK_LINES.matcher(t).replaceAll("\n\n").strip();
  }

  private static List<ChatMessage> pair(PromptResponse pair) {
    List<ChatMessage> messages = new ArrayList<>(3);
    if (!pair.getSystem().isBlank()) {
      messages.add(
          ChatMessage.newBuilder().setRole(Role.ROLE_SYSTEM).setContent(pair.getSystem()).build());
    }
    messages.add(
        ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(pair.getPrompt()).build());
    messages.add(
        ChatMessage.newBuilder()
            .setRole(Role.ROLE_ASSISTANT)
            .setContent(pair.getResponse())
            .build());
    return messages;
  }
}
