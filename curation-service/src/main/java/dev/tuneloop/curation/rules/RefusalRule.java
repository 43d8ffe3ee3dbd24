package dev.tuneloop.curation.rules;

import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.Role;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refusal boilerplate in assistant replies ("As an AI language model...", "I'm afraid I can't help
 * with that."). Datasets built to make a model follow instructions filter these out; a dataset that
 * wants its model to refuse turns the filter off. Replies are matched lower-cased, with typographic
 * apostrophes and runs of white space folded, against the dataset's exact phrases and then its
 * patterns (refusal-patterns), which generalise over phrasing.
 */
public final class RefusalRule implements Rule {

  private static final Pattern SPACES = Pattern.compile("\\s+");

  private final List<Pattern> patterns;

  public RefusalRule(CurationPolicy policy) {
    this.patterns = policy.refusalPatterns().stream().map(Pattern::compile).toList();
  }

  @Override
  public void apply(Candidate c) {
    if (!c.policy().filterRefusals()) {
      return;
    }
    List<ChatMessage> messages = c.messages();
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).getRole() != Role.ROLE_ASSISTANT) {
        continue;
      }
      String text = fold(messages.get(i).getContent());
      String why = refusal(text, c.policy().refusalPhrases());
      if (why != null) {
        c.reject(new Rejection(RejectReason.REFUSAL, "assistant message " + i + " " + why));
      }
    }
  }

  private String refusal(String text, List<String> phrases) {
    for (String phrase : phrases) {
      if (text.contains(phrase)) {
        return "contains the refusal phrase \"" + phrase + "\"";
      }
    }
    String ends = opening(text);
    for (Pattern p : patterns) {
      Matcher m = p.matcher(ends);
      if (m.find()) {
        return "reads as a refusal: \"" + m.group().strip() + "\" (refusal-patterns)";
      }
    }
    return null;
  }

  /**
   * Refusal boilerplate opens or closes a reply; the patterns (not the phrases) search only its
   * first 400 and last 200 characters, so a 5,000-character story costs no more than a short
   * answer.
   */
  static String opening(String text) {
    return text.length() <= 600
        ? text
        : text.substring(0, 400) + " \n " + text.substring(text.length() - 200);
  }

  static String fold(String content) {
    String t = content.toLowerCase(Locale.ROOT).replace('\u2019', '\'').replace('\u2018', '\'');
    return SPACES.matcher(t).replaceAll(" ");
  }
}
