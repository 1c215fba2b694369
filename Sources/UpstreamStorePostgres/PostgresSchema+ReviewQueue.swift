extension PostgresSchema {
    /// `v7-review-queue`, as the SQLite adapter's `Schema.registerReviewQueue` does it, in SQL on `jsonb`: converts the
    /// review rows earlier versions wrote in their own shapes (linkage pairs `{order, item, decision, review}`, risk
    /// flags as a list of flags) into the review state machine's shape, once. Rows already new are left alone.
    static let reviewQueueMigration = PostgresMigration(name: "v7-review-queue: linkage pairs and risk flags as review state machines", statements: [
        """
        UPDATE review_items r SET state = convert_to(n.new::text, 'UTF8')
        FROM (
          SELECT queue, subject, jsonb_build_object(
            'subject', subject,
            'state', COALESCE(j->'review'->'state',
              CASE WHEN NOT pending AND j ? 'decision' THEN jsonb_build_object('decided', jsonb_build_object('_0',
                CASE WHEN j->'decision'->>'verdict' = 'accept' THEN 'same-person' ELSE 'different-people' END))
              ELSE '{"pending": {}}'::jsonb END),
            'history', COALESCE(j->'review'->'history',
              CASE WHEN NOT pending AND j ? 'decision' THEN jsonb_build_array(jsonb_build_object(
                'at', COALESCE(j->'decision'->'decidedAt', '0'::jsonb),
                'by', jsonb_build_object('name', COALESCE(j->'decision'->>'reviewer', 'upstream review'), 'kind', 'self-asserted', 'role', 'supervisor'),
                'what', 'decided ' || CASE WHEN j->'decision'->>'verdict' = 'accept' THEN 'same-person' ELSE 'different-people' END,
                'reason', 'recorded with upstream review'))
              ELSE '[]'::jsonb END),
            'left', COALESCE(j->'item'->'left', j->'decision'->'left'),
            'right', COALESCE(j->'item'->'right', j->'decision'->'right')
          ) || CASE WHEN j ? 'order' THEN jsonb_build_object('order', j->'order') ELSE '{}'::jsonb END
            || CASE WHEN j ? 'item' THEN jsonb_build_object('item', j->'item') ELSE '{}'::jsonb END AS new
          FROM (SELECT queue, subject, pending, convert_from(state, 'UTF8')::jsonb AS j FROM review_items WHERE queue = 'linkage-pairs') o
          WHERE jsonb_typeof(j) = 'object' AND NOT j ? 'state'
        ) n
        WHERE r.queue = n.queue AND r.subject = n.subject
        """,
        """
        UPDATE review_items r SET pending = n.decision IS NULL, state = convert_to((CASE WHEN n.decision IS NULL
            THEN jsonb_build_object('subject', n.subject, 'state', '{"pending": {}}'::jsonb, 'history', '[]'::jsonb)
            ELSE jsonb_build_object('subject', n.subject, 'state', jsonb_build_object('decided', jsonb_build_object('_0', n.decision)),
              'history', jsonb_build_array(jsonb_build_object('at', n.updated_at,
                'by', jsonb_build_object('name', COALESCE(n.last->>'decidedBy', 'upstream risk review'), 'kind', 'self-asserted', 'role', 'supervisor'),
                'what', 'decided ' || n.decision,
                'reason', COALESCE(NULLIF(btrim(n.last->>'decisionReason', E' \\t\\r\\n'), ''), 'recorded with upstream risk review'))))
            END)::text, 'UTF8')
        FROM (
          SELECT queue, subject, updated_at, last,
            CASE WHEN last->>'decision' IN ('offer-support', 'already-supported', 'refer-for-assessment', 'no-further-action')
              THEN last->>'decision' END AS decision
          FROM (
            SELECT queue, subject, updated_at, (
              SELECT f FROM jsonb_array_elements(j) WITH ORDINALITY AS e(f, k)
              WHERE jsonb_typeof(f->'decision') = 'string' ORDER BY k DESC LIMIT 1) AS last
            FROM (SELECT queue, subject, updated_at, convert_from(state, 'UTF8')::jsonb AS j FROM review_items WHERE queue = 'risk-flags') o
            WHERE jsonb_typeof(j) = 'array'
          ) l
        ) n
        WHERE r.queue = n.queue AND r.subject = n.subject
        """,
    ])
}
