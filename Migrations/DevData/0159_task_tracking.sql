-- Demo data, WS-159 task tracking: tasks on the upcoming weddings of 0153, moved through their
-- states by the same UPDATEs the API issues, so the progress history and the photo-evidence rule
-- are exercised rather than faked. Re-runnable: each step only moves a task forward.
-- Ids: 0159EEEE-OOOO-4000-8000-NNNNNNNNNNNN (EEEE entity, OOOO organization).

INSERT INTO wedding_tasks (id, organization_id, wedding_id, title, category, priority, status, progress_percent,
                           requires_photo_evidence, assigned_to, due_at, created_by) VALUES
    ('01590001-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'Agree the family shot list with the couple', 'photography', 'high', 'todo', 0, false,
     'a1111111-0000-4000-8000-000000000003', now() + interval '20 days', 'a1111111-0000-4000-8000-000000000001'),
    ('01590001-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'Scout the orangery light at 14:00', 'photography', 'medium', 'todo', 0, true,
     'a1111111-0000-4000-8000-000000000003', now() + interval '30 days', 'a1111111-0000-4000-8000-000000000001'),
    ('01590001-1111-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'Deliver the engagement-shoot gallery', 'photography', 'medium', 'todo', 0, false,
     'a1111111-0000-4000-8000-000000000002', now() + interval '10 days', 'a1111111-0000-4000-8000-000000000001'),
    ('01590001-1111-4000-8000-000000000004', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'Print the ceremony welcome sign', 'stationery', 'low', 'todo', 0, true,
     'a1111111-0000-4000-8000-000000000003', now() + interval '15 days', 'a1111111-0000-4000-8000-000000000002'),
    ('01590001-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '01530001-2222-4000-8000-000000000001',
     'Finalise the table plan', 'venue', 'high', 'todo', 0, false,
     'b2222222-0000-4000-8000-000000000002', now() + interval '40 days', 'b2222222-0000-4000-8000-000000000001'),
    ('01590001-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', '01530001-2222-4000-8000-000000000001',
     'Confirm the florist''s delivery window', 'flowers', 'medium', 'todo', 0, false,
     'b2222222-0000-4000-8000-000000000002', now() + interval '50 days', 'b2222222-0000-4000-8000-000000000001')
ON CONFLICT DO NOTHING;

-- Evidence first, so the tasks that promised a photo may be finished below.
INSERT INTO task_photo_evidence (id, organization_id, task_id, storage_path, content_type, file_size_bytes, caption,
                                 taken_at, uploaded_by, verification_status, verified_by, verified_at) VALUES
    ('01590002-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01590001-1111-4000-8000-000000000002',
     'org/11111111-1111-4111-8111-111111111111/tasks/01590001-1111-4000-8000-000000000002/orangery-1400.jpg',
     'image/jpeg', 2483117, 'South windows at 14:00: soft light, no harsh shadows', now() - interval '1 day',
     'a1111111-0000-4000-8000-000000000003', 'pending', NULL, NULL),
    ('01590002-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01590001-1111-4000-8000-000000000004',
     'org/11111111-1111-4111-8111-111111111111/tasks/01590001-1111-4000-8000-000000000004/welcome-sign.heic',
     'image/heic', 1893442, 'Proof from the printer', now() - interval '2 days',
     'a1111111-0000-4000-8000-000000000003', 'approved', 'a1111111-0000-4000-8000-000000000002', now() - interval '1 day')
ON CONFLICT DO NOTHING;

-- Progress steps, each only if the task hasn't got that far yet.
UPDATE wedding_tasks SET progress_percent = 50, last_progress_note = 'Draft list sent to Olivia'
WHERE id = '01590001-1111-4000-8000-000000000001' AND progress_percent < 50 AND status <> 'done';
UPDATE wedding_tasks SET status = 'done', last_progress_note = 'Couple signed off the list'
WHERE id = '01590001-1111-4000-8000-000000000001' AND status <> 'done';
UPDATE wedding_tasks SET progress_percent = 30, last_progress_note = 'Visited on a cloudy day'
WHERE id = '01590001-1111-4000-8000-000000000002' AND progress_percent < 30 AND status <> 'done';
UPDATE wedding_tasks SET progress_percent = 60, last_progress_note = 'Second visit, photo uploaded'
WHERE id = '01590001-1111-4000-8000-000000000002' AND progress_percent < 60 AND status <> 'done';
UPDATE wedding_tasks SET progress_percent = 100, last_progress_note = 'Printed and approved'
WHERE id = '01590001-1111-4000-8000-000000000004' AND status <> 'done';
UPDATE wedding_tasks SET progress_percent = 40, last_progress_note = '12 of 30 tables placed'
WHERE id = '01590001-2222-4000-8000-000000000001' AND progress_percent < 40 AND status <> 'done';
UPDATE wedding_tasks SET status = 'blocked', last_progress_note = 'Waiting for the florist to reply'
WHERE id = '01590001-2222-4000-8000-000000000002' AND status = 'todo';

-- The migrator has no signed-in user, so the trigger recorded nobody; attribute the demo steps.
UPDATE task_progress_history h
SET recorded_by = t.assigned_to
FROM wedding_tasks t
WHERE t.id = h.task_id
  AND t.organization_id = h.organization_id
  AND t.id::text LIKE '01590001-%'
  AND h.recorded_by IS NULL;
