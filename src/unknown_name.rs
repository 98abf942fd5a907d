//! A name that is not one of those known (an arm, indicator, activity type, provider, field…):
//! the message that says so, with the known name a slip of typing would most likely have
//! meant, so that a misspelling among twenty indicators is found without reading them all.

/// "unknown {kind} "{given}" (did you mean "{closest}"?); expected one of: {known, …}", or
/// with `none` in place of the list when nothing is known.
pub fn unknown<S: AsRef<str>>(kind: &str, given: &str, known: &[S], none: &str) -> String {
    if known.is_empty() {
        return format!("unknown {kind} \"{given}\"; expected {none}");
    }
    let names: Vec<&str> = known.iter().map(AsRef::as_ref).collect();
    format!(
        "unknown {kind} \"{given}\"{}; expected one of: {}",
        did_you_mean(given, &names, "\""),
        names.join(", ")
    )
}

/// " (did you mean {quote}name{quote}?)" for the known name closest to `given`, if one is close
/// enough to be a slip of typing ([`closest`]); otherwise nothing.
pub fn did_you_mean<S: AsRef<str>>(given: &str, known: &[S], quote: &str) -> String {
    closest(given, known)
        .map(|name| format!(" (did you mean {quote}{name}{quote}?)"))
        .unwrap_or_default()
}

/// The known name nearest `given` by edits of one character (inserted, deleted, replaced, with
/// case ignored), if it is within about one edit in four characters, or else the first known
/// name `given` begins (three characters or more: `growth` finds `growth_rate`):
/// `non_elective_per_100` finds `non_elective_per_1000`; `waiters` finds nothing among
/// unrelated names, and a name of one character nothing at all (any other is one edit away).
/// The first of equally near names is taken. A name differing from `given` only in case is
/// always near.
pub fn closest<'a, S: AsRef<str>>(given: &str, known: &'a [S]) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    let others = || {
        known
            .iter()
            .map(AsRef::as_ref)
            .filter(move |name| *name != given)
    };
    let by_edits = others()
        .map(|name| {
            (
                strsim::levenshtein(&given_lower, &name.to_lowercase()),
                name,
            )
        })
        .filter(|&(edits, name)| edits <= near_enough(given, name))
        .min_by_key(|&(edits, _)| edits)
        .map(|(_, name)| name);
    by_edits.or_else(|| {
        (given.chars().count() >= 3)
            .then(|| others().find(|name| name.to_lowercase().starts_with(&given_lower)))
            .flatten()
    })
}

/// How many edits a slip of typing may make: one, and one more per four characters of the
/// longer name beyond four; never as many as `given` has characters (every name of one
/// character is one edit from every other).
fn near_enough(given: &str, name: &str) -> usize {
    let longer = given.chars().count().max(name.chars().count());
    (1 + longer.saturating_sub(4) / 4).min(given.chars().count().saturating_sub(1))
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown name `x`, …"), with the
/// closest of the names listed suggested after the one given; any other message unchanged.
pub fn suggest_in_serde_message(message: &str) -> String {
    // serde's "unknown variant" has been reworded "unknown name" before it comes here.
    for prefix in ["unknown field `", "unknown name `"] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some((given, after)) = rest.split_once('`') else {
            continue;
        };
        let Some(list) = after
            .strip_prefix(", expected one of ")
            .or_else(|| after.strip_prefix(", expected "))
        else {
            continue;
        };
        let known: Vec<&str> = list
            .split(", ")
            .filter_map(|n| n.strip_prefix('`')?.split('`').next())
            .collect();
        let hint = did_you_mean(given, &known, "`");
        if hint.is_empty() {
            break;
        }
        let at = prefix.len() + given.len() + 1;
        return format!("{}{hint}{}", &message[..at], &message[at..]);
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_of_typing_finds_the_name_meant() {
        let indicators = [
            "head_count",
            "non_elective_per_1000",
            "ae_per_1000",
            "deaths",
        ];
        assert_eq!(
            closest("non_elective_per_100", &indicators),
            Some("non_elective_per_1000")
        );
        assert_eq!(closest("Deaths", &indicators), Some("deaths"));
        assert_eq!(closest("head_cuont", &indicators), Some("head_count"));
        let types = ["gp", "ae", "elective", "non_elective"];
        assert_eq!(closest("gpp", &types), Some("gp"));
        assert_eq!(closest("electve", &types), Some("elective"));
        let fields = ["growth_rate", "leaver_rate"];
        assert_eq!(closest("growth", &fields), Some("growth_rate"));
    }

    #[test]
    fn an_unrelated_name_finds_nothing() {
        let indicators = ["head_count", "non_elective_per_1000", "deaths"];
        assert_eq!(closest("waiters", &indicators), None);
        assert_eq!(closest("x", &["block", "pbr"]), None);
        assert_eq!(
            closest("deaths", &indicators),
            None,
            "a known name is not unknown"
        );
        assert_eq!(closest("q", &["p", "r"]), None, "one character is no slip");
        assert_eq!(
            closest("gr", &["growth_rate"]),
            None,
            "two characters begin too much"
        );
    }

    #[test]
    fn the_message_lists_every_name_and_suggests_the_nearest() {
        assert_eq!(
            unknown("provider", "acutee", &["acute", "community"], "a provider"),
            "unknown provider \"acutee\" (did you mean \"acute\"?); expected one of: acute, community"
        );
        assert_eq!(
            unknown("arm", "zzz", &["block", "pbr"], "an arm"),
            "unknown arm \"zzz\"; expected one of: block, pbr"
        );
        assert_eq!(
            unknown::<&str>("arm", "a", &[], "an arm (the scenario has none)"),
            "unknown arm \"a\"; expected an arm (the scenario has none)"
        );
    }

    #[test]
    fn serde_messages_get_the_suggestion_after_the_name_given() {
        assert_eq!(
            suggest_in_serde_message(
                "unknown field `replicatons`, expected one of `name`, `replications`, `years`"
            ),
            "unknown field `replicatons` (did you mean `replications`?), expected one of \
             `name`, `replications`, `years`"
        );
        assert_eq!(
            suggest_in_serde_message(
                "unknown name `capitaton`, expected one of `block`, `capitation`"
            ),
            "unknown name `capitaton` (did you mean `capitation`?), expected one of `block`, \
             `capitation`"
        );
        assert_eq!(
            suggest_in_serde_message("unknown field `sise`, expected `size`"),
            "unknown field `sise` (did you mean `size`?), expected `size`"
        );
        let far = "unknown field `zzz`, expected one of `name`, `years`";
        assert_eq!(suggest_in_serde_message(far), far);
        assert_eq!(
            suggest_in_serde_message("missing field `x`"),
            "missing field `x`"
        );
    }
}
