package dev.tuneloop.curation.policy;

/** What curation does with personal data found in an example. */
public enum PiiAction {
  /**
   * Replace each match with a placeholder ([EMAIL], [PHONE], [CARD], [IBAN]) and keep the example.
   */
  REDACT,
  /** Refuse the example with reason PII. */
  REJECT,
  /** Leave it (datasets that are already anonymised, or where contact details are the point). */
  OFF
}
