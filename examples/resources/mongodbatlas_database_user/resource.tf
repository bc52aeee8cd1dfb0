# A SCRAM database user whose password never reaches the state or the plan: `password_wo`
# is write-only (Terraform >= 1.11); bump `password_wo_version` to send a new password.

terraform {
  required_providers {
    mongodbatlas = {
      source = "mongodb/mongodbatlas"
    }
  }
}

variable "project_id" {
  description = "Atlas project id"
  type        = string
}

variable "app_password" {
  description = "Password of the application user"
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "mongodbatlas_database_user" "app" {
  project_id          = var.project_id
  username            = "app-user"
  auth_database_name  = "admin"
  password_wo         = var.app_password
  password_wo_version = 1
  description         = "Application user"

  roles {
    role_name     = "readWrite"
    database_name = "app"
  }

  roles {
    role_name       = "read"
    database_name   = "reporting"
    collection_name = "daily"
  }

  labels {
    key   = "team"
    value = "payments"
  }

  scopes {
    name = "cluster-0"
    type = "CLUSTER"
  }
}

data "mongodbatlas_database_users" "all" {
  project_id = mongodbatlas_database_user.app.project_id
}

output "user_id" {
  value = mongodbatlas_database_user.app.id
}
