# Terraform: a Managed Flink application that opts in to scheduled scaling with one tag. The tag's
# value names a schedule of the fleet's schedule file (examples/fleet.schedule.yml).

variable "schedule" {
  description = "The named schedule the application follows"
  type        = string
  default     = "business-hours"
  validation {
    condition     = contains(["business-hours", "batch-night", "eu-daytime"], var.schedule)
    error_message = "Name a schedule of .github/flink-fleet.yml."
  }
}

variable "code_bucket_arn" { type = string }
variable "code_key" { type = string }
variable "service_execution_role_arn" { type = string }

resource "aws_kinesisanalyticsv2_application" "orders_enricher" {
  name                   = "orders-enricher"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = var.service_execution_role_arn

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"
      code_content {
        s3_content_location {
          bucket_arn = var.code_bucket_arn
          file_key   = var.code_key
        }
      }
    }
    application_snapshot_configuration {
      snapshots_enabled = true # the scaler restarts the job; snapshots keep its state
    }
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        parallelism          = 4 # the size it is created at; the scaler owns it from then on
        parallelism_per_kpu  = 1
        auto_scaling_enabled = false
      }
    }
  }

  tags = {
    "flink-schedule" = var.schedule
  }

  # The scaler changes the parallelism on schedule: without this, every plan would undo it.
  lifecycle {
    ignore_changes = [
      application_configuration[0].flink_application_configuration[0].parallelism_configuration[0].parallelism,
    ]
  }
}
