-- Reserved for announcement updates (issue 5); being written now.
SELECT 1;
