//! JMS message selectors (JMS 1.1 section 3.8): parsing and evaluation.
