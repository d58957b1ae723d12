using System.Text.RegularExpressions;
using Npgsql;
using WedSync.Migrations.Sql;
using WedSync.Tests.Schema.Lint;

namespace WedSync.Tests.Schema.Isolation;

/// <summary>
/// One valid row for every tenant table, written explicitly. A generic factory would have to
/// invent values for every CHECK (statuses, regexes, "done means 100 %") and follow composite
/// foreign keys to parents of the same organization; an explicit map is shorter and says what it
/// inserts. The isolation tests fail when a tenant table of the database has no entry here, so a
/// new table cannot slip past them: add its row below, after its parents.
/// <para>
/// Each statement inserts the row with id <c>@id</c> for organization <c>@org</c> and user
/// <c>@user</c>, and refers to a parent by the parent table's name (<c>@weddings</c> is the
/// organization's wedding). Rows some triggers also write (progress history, the export queue,
/// trial gates and e-mails) use values the triggers leave free, so the explicit row never collides.
/// </para>
/// </summary>
public static partial class TenantRowFactory
{
    public static IReadOnlyList<(string Table, string Insert)> Rows { get; } =
    [
        ("user_profiles", """
            INSERT INTO user_profiles (id, user_id, organization_id, role, email, display_name, created_at)
            VALUES (@id, @user, @org, 'OWNER', @id::text || '@isolation.test', 'Isolation owner', now() - interval '90 days')
            """),
        ("weddings", """
            INSERT INTO weddings (id, organization_id, couple_name, wedding_date, primary_contact_email, primary_contact_phone, created_by)
            VALUES (@id, @org, 'Isolation couple', current_date - 20, 'couple@isolation.test', '+44 20 7946 0000', @user)
            """),
        ("wedding_guests", """
            INSERT INTO wedding_guests (id, organization_id, wedding_id, first_name, last_name)
            VALUES (@id, @org, @weddings, 'Grace', 'Guest')
            """),
        ("photo_groups", """
            INSERT INTO photo_groups (id, organization_id, wedding_id, name, scheduled_start, scheduled_end, created_by)
            VALUES (@id, @org, @weddings, 'Family', now() + interval '1 day', now() + interval '1 day 30 minutes', @user)
            """),
        ("photo_group_members", """
            INSERT INTO photo_group_members (id, organization_id, wedding_id, photo_group_id, guest_id, added_by)
            VALUES (@id, @org, @weddings, @photo_groups, @wedding_guests, @user)
            """),
        ("wedding_tasks", """
            INSERT INTO wedding_tasks (id, organization_id, wedding_id, title, progress_percent, created_by)
            VALUES (@id, @org, @weddings, 'Book the florist', 40, @user)
            """),
        ("task_progress_history", """
            INSERT INTO task_progress_history (id, organization_id, task_id, progress_percent, previous_percent, status, previous_status, recorded_by)
            VALUES (@id, @org, @wedding_tasks, 50, 40, 'in_progress', 'in_progress', @user)
            """),
        ("task_photo_evidence", """
            INSERT INTO task_photo_evidence (id, organization_id, task_id, storage_path, content_type, file_size_bytes, uploaded_by)
            VALUES (@id, @org, @wedding_tasks, 'evidence/' || @id::text || '.jpg', 'image/jpeg', 2048, @user)
            """),
        ("budget_items", """
            INSERT INTO budget_items (id, organization_id, wedding_id, category, description, planned_cents, created_by)
            VALUES (@id, @org, @weddings, 'venue', 'Venue hire', 500000, @user)
            """),
        // Cancelled, so its insert trigger queues no job and the queue row below is the only one.
        ("budget_exports", """
            INSERT INTO budget_exports (id, organization_id, wedding_id, requested_by, format, status)
            VALUES (@id, @org, @weddings, @user, 'csv', 'cancelled')
            """),
        ("budget_export_queue", """
            INSERT INTO budget_export_queue (id, organization_id, export_id)
            VALUES (@id, @org, @budget_exports)
            """),
        ("trials", """
            INSERT INTO trials (id, organization_id, plan_tier, ends_at, plan_price_cents, created_by)
            VALUES (@id, @org, 'professional', now() + interval '14 days', 4900, @user)
            """),
        ("trial_activities", """
            INSERT INTO trial_activities (id, organization_id, trial_id, user_id, activity_type, minutes_saved)
            VALUES (@id, @org, @trials, @user, 'login', 5)
            """),
        // Not one of the plan's default features, which the trial's insert trigger gates.
        ("trial_feature_gates", """
            INSERT INTO trial_feature_gates (id, organization_id, trial_id, feature_key, usage_limit)
            VALUES (@id, @org, @trials, 'isolation_probe', 5)
            """),
        // The trigger schedules the journey of an active trial; the thanks e-mail only follows a conversion.
        ("trial_email_schedule", """
            INSERT INTO trial_email_schedule (id, organization_id, trial_id, template_key, scheduled_for, recipient_user_id)
            VALUES (@id, @org, @trials, 'conversion_thanks', now() + interval '1 day', @user)
            """),
        ("trial_milestones", """
            INSERT INTO trial_milestones (id, organization_id, trial_id, milestone_type, achieved_by)
            VALUES (@id, @org, @trials, 'first_wedding_added', @user)
            """),
        ("trial_extensions", """
            INSERT INTO trial_extensions (id, organization_id, trial_id, extension_number, days_added, reason, previous_ends_at, new_ends_at, granted_by)
            VALUES (@id, @org, @trials, 1, 7, 'Isolation test', now() + interval '14 days', now() + interval '21 days', @user)
            """),
        ("review_campaigns", """
            INSERT INTO review_campaigns (id, organization_id, name, status, channels, message_template, created_by)
            VALUES (@id, @org, 'After the day', 'active', ARRAY['email', 'sms']::review_channel[], 'How was your day?', @user)
            """),
        ("review_requests", """
            INSERT INTO review_requests (id, organization_id, campaign_id, wedding_id, recipient_name, recipient_email, scheduled_for)
            VALUES (@id, @org, @review_campaigns, @weddings, 'The couple', 'couple@isolation.test', now())
            """),
        ("collected_reviews", """
            INSERT INTO collected_reviews (id, organization_id, review_request_id, wedding_id, rating, reviewer_name)
            VALUES (@id, @org, @review_requests, @weddings, 5, 'The couple')
            """),
        // Critical, so the at-risk dashboard view holds the organization too.
        ("customer_health_scores", """
            INSERT INTO customer_health_scores (id, organization_id, overall_score, engagement_score, adoption_score, support_score, milestone_score, risk_level)
            VALUES (@id, @org, 20, 20, 20, 20, 20, 'critical')
            """),
        ("success_milestones", """
            INSERT INTO success_milestones (id, organization_id, milestone_key, target_date)
            VALUES (@id, @org, 'first_wedding_created', current_date + 30)
            """),
        ("support_interactions", """
            INSERT INTO support_interactions (id, organization_id, customer_user_id, channel, interaction_type, subject, priority)
            VALUES (@id, @org, @user, 'email', 'issue', 'Export fails', 'urgent')
            """),
        // Codes and referred e-mails are unique platform-wide, so both derive from the fresh id.
        ("referral_codes", """
            INSERT INTO referral_codes (id, organization_id, user_id, code)
            VALUES (@id, @org, @user, upper(left(replace(@id::text, '-', ''), 16)))
            """),
        ("referrals", """
            INSERT INTO referrals (id, organization_id, referral_code_id, referrer_user_id, referred_email)
            VALUES (@id, @org, @referral_codes, @user, @id::text || '@referred.test')
            """),
        ("referral_share_events", """
            INSERT INTO referral_share_events (id, organization_id, referral_code_id, user_id, share_type, platform)
            VALUES (@id, @org, @referral_codes, @user, 'social', 'whatsapp')
            """),
        ("referral_clicks", """
            INSERT INTO referral_clicks (id, organization_id, referral_code_id, ip, user_agent)
            VALUES (@id, @org, @referral_codes, '203.0.113.7', 'isolation-test')
            """),
        ("referral_clicks_filtered", """
            INSERT INTO referral_clicks_filtered (id, organization_id, referral_code_id, ip, user_agent, reason)
            VALUES (@id, @org, @referral_codes, '203.0.113.7', 'Slackbot-LinkExpanding 1.0', 'link_preview')
            """),
        ("referral_conversions", """
            INSERT INTO referral_conversions (id, organization_id, referral_id, event, occurred_at)
            VALUES (@id, @org, @referrals, 'signed_up', now())
            """),
        ("referral_rewards", """
            INSERT INTO referral_rewards (id, organization_id, referral_id, side, trigger, tier, amount_cents, beneficiary_user_id)
            VALUES (@id, @org, @referrals, 'referrer', 'signed_up', 'bronze', 1500, @user)
            """),
        ("referral_reward_ledger", """
            INSERT INTO referral_reward_ledger (id, organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                                pending_cents, owed_cents, paid_cents, currency, actor_role, reason)
            VALUES (@id, @org, @referral_rewards, @user, 'fulfilled', 'approved', 0, -1500, 1500, 'USD', 'service', 'isolation')
            """),
        ("referral_reward_rules", """
            INSERT INTO referral_reward_rules (organization_id, hold_days, updated_by)
            VALUES (@org, 0, @user)
            """),
        ("referral_spend_counters", """
            INSERT INTO referral_spend_counters (organization_id, period_start, spent_cents)
            VALUES (@org, date_trunc('month', now())::date - (abs(hashtext(@id::text)) % 3000), 1500)
            """),
        ("referral_webhook_subscriptions", """
            WITH s AS (
                INSERT INTO webhook_subscriptions (id, topic, url, signing_secret)
                VALUES (@id, 'referrals', 'https://hooks.isolation.test/referrals', 'whsec_' || encode(sha256(@id::text::bytea), 'base64'))
                RETURNING id
            )
            INSERT INTO referral_webhook_subscriptions (subscription_id, organization_id) SELECT id, @org FROM s
            """),
        ("viral_metrics", """
            INSERT INTO viral_metrics (id, organization_id, metric_date, invites, users, conversions)
            VALUES (@id, @org, current_date, 3, 1, 1)
            """),
    ];

    public static IReadOnlySet<string> Tables { get; } = Rows.Select(row => row.Table).ToHashSet();

    public static string InsertFor(string table) => Rows.Single(row => row.Table == table).Insert;

    /// <summary>
    /// A command inserting <paramref name="table"/>'s row for <paramref name="tenant"/>: with the
    /// tenant's own row id (the seed), or with a fresh row id and user (a new row, e.g. an attempt
    /// to write into another tenant).
    /// </summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string table, Tenant tenant, bool freshRow)
    {
        var sql = InsertFor(table);
        var command = new NpgsqlCommand(sql, connection);
        // Parameters are read from the statement with its literals masked: '@referred.test' is text.
        foreach (var name in Parameter().Matches(SqlMask.CommentsAndStrings(sql)).Select(match => match.Groups[1].Value).Distinct())
        {
            var value = name switch
            {
                "id" => freshRow ? Guid.NewGuid() : tenant.RowId(table),
                "org" => tenant.OrganizationId,
                "user" => freshRow ? Guid.NewGuid() : tenant.UserId,
                _ => tenant.RowId(name),
            };
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>Creates the organization (as the owner: outside RLS) and one row in every tenant table.</summary>
    public static void Seed(NpgsqlConnection owner, Tenant tenant)
    {
        using var transaction = owner.BeginTransaction();
        using (var organization = new NpgsqlCommand(
            "INSERT INTO organizations (id, name, slug, created_at) VALUES (@org, @name, @slug, now() - interval '90 days')", owner, transaction))
        {
            organization.Parameters.AddWithValue("org", tenant.OrganizationId);
            organization.Parameters.AddWithValue("name", $"Isolation {tenant.Label}");
            organization.Parameters.AddWithValue("slug", $"isolation-{tenant.OrganizationId}");
            organization.ExecuteNonQuery();
        }

        foreach (var (table, _) in Rows)
        {
            using var command = Command(owner, table, tenant, freshRow: false);
            command.Transaction = transaction;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    [GeneratedRegex(@"(?<![:@\w])@(\w+)")]
    private static partial Regex Parameter();
}
