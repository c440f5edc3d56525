# Terraform, in each account the fleet reaches through account-roles: the role the hub role
# assumes. It trusts only the hub role, and may only list, read tags of, and scale Managed Flink
# applications (describe and update only those that carry the tag).

variable "hub_role_arn" {
  description = "The role of role-to-assume, in the account whose workflow runs"
  type        = string
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  applications = "arn:${data.aws_partition.current.partition}:kinesisanalytics:*:${data.aws_caller_identity.current.account_id}:application/*"
}

resource "aws_iam_role" "flink_scaler" {
  name                 = "flink-scaler"
  max_session_duration = 3600 # a session assumed from the hub role's session lasts an hour at most anyway
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.hub_role_arn }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "flink_scaler" {
  name = "flink-scheduled-scaling"
  role = aws_iam_role.flink_scaler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "ListHasNoResource", Effect = "Allow", Action = "kinesisanalytics:ListApplications", Resource = "*" },
      { Sid = "ReadEveryApplicationsTags", Effect = "Allow", Action = "kinesisanalytics:ListTagsForResource", Resource = local.applications },
      {
        Sid    = "ScaleOnlyTaggedApplications"
        Effect = "Allow"
        Action = [
          "kinesisanalytics:DescribeApplication",
          "kinesisanalytics:UpdateApplication",
          "kinesisanalytics:DescribeApplicationOperation",
          "kinesisanalytics:ListApplicationOperations",
        ]
        Resource = local.applications
        # Only applications that carry the tag (the key select-by-tag names).
        Condition = { Null = { "aws:ResourceTag/flink-schedule" = "false" } }
      },
      {
        Sid      = "HoldsOnlyTheScalersOwnTags"
        Effect   = "Allow"
        Action   = ["kinesisanalytics:TagResource", "kinesisanalytics:UntagResource"]
        Resource = local.applications
        Condition = {
          "ForAllValues:StringLike" = { "aws:TagKeys" = ["scheduled-scaler:*"] }
          Null                      = { "aws:TagKeys" = "false", "aws:ResourceTag/flink-schedule" = "false" }
        }
      },
    ]
  })
}

output "role_arn" {
  description = "One line of account-roles"
  value       = aws_iam_role.flink_scaler.arn
}
