//! SageMaker (per region): notebook instances, domains, the most recent training jobs, models
//! and endpoint configurations: each listed, then described one by one. Tags (one ListTags
//! call per resource) only when a selected rule reads them.

use super::ctx::{Ctx, fan_out};
use super::json::{Obj, sort_by_field};
use aws_sdk_sagemaker::types::{
    ContainerDefinition, ProductionVariant, SortBy, SortOrder, UserSettings, VpcConfig,
};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The API maximum of MaxResults for the List calls.
const MAX_RESULTS: i32 = 100;

/// What to collect beyond the defaults.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub max_training_jobs: usize,
    pub tags: bool,
}

/// A listed resource: its name (or domain id), ARN, and what the List call said, kept when the
/// Describe call fails so rules still see the resource (and its gap).
struct Listed {
    name: String,
    arn: Option<String>,
    summary: Value,
}

/// `{"notebook_instances": [...], "domains": [...], ...}`: the `sagemaker` object of a region.
pub(crate) async fn collect(
    ctx: Arc<Ctx>,
    client: aws_sdk_sagemaker::Client,
    region: String,
    settings: Settings,
) -> Value {
    let task = ctx.progress.task(format!("sagemaker {region}"));
    task.step("List and Describe");
    let kinds = Kinds {
        ctx: &ctx,
        client: &client,
        region: &region,
        tags: settings.tags,
    };
    let (notebooks, domains, jobs, models, configs) = tokio::join!(
        kinds.notebooks(),
        kinds.domains(),
        kinds.training_jobs(settings.max_training_jobs),
        kinds.models(),
        kinds.endpoint_configs(),
    );
    task.done(format!(
        "{} notebooks, {} domains, {} training jobs, {} models, {} endpoint configs",
        notebooks.len(),
        domains.len(),
        jobs.len(),
        models.len(),
        configs.len()
    ));
    json!({
        "notebook_instances": notebooks,
        "domains": domains,
        "training_jobs": jobs,
        "models": models,
        "endpoint_configs": configs,
    })
}

struct Kinds<'a> {
    ctx: &'a Arc<Ctx>,
    client: &'a aws_sdk_sagemaker::Client,
    region: &'a str,
    tags: bool,
}

/// A Describe call's object, or the error code and message for the gap.
type Describe<T> = Result<T, (String, String)>;

impl Kinds<'_> {
    /// Describes every listed resource concurrently; `describe` returns the object, or `None`
    /// after recording a gap. Tags are added when asked.
    async fn describe_all<F, Fut>(
        &self,
        listed: Vec<Listed>,
        operation: &'static str,
        id_field: &str,
        describe: F,
    ) -> Vec<Value>
    where
        F: Fn(aws_sdk_sagemaker::Client, String) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = Describe<Value>> + Send + 'static,
    {
        let mut items = fan_out(listed, |item| {
            let (ctx, client, region, tags) = (
                Arc::clone(self.ctx),
                self.client.clone(),
                self.region.to_string(),
                self.tags,
            );
            let describe = describe.clone();
            async move {
                let described = {
                    let _permit = ctx.permit().await;
                    describe(client.clone(), item.name.clone()).await
                };
                let mut obj = match described {
                    Ok(obj) => obj,
                    Err((code, message)) => {
                        ctx.gap_raw(
                            "sagemaker",
                            &region,
                            operation,
                            Some(&item.name),
                            code,
                            message,
                        );
                        item.summary
                    }
                };
                if tags && let Some(arn) = &item.arn {
                    let list = resource_tags(&ctx, &client, &region, &item.name, arn).await;
                    if let (Some(list), Some(o)) = (list, obj.as_object_mut()) {
                        o.insert("Tags".into(), list);
                    }
                }
                Some(obj)
            }
        })
        .await;
        sort_by_field(&mut items, id_field);
        items
    }

    async fn notebooks(&self) -> Vec<Value> {
        let mut listed = Vec::new();
        self.ctx
            .pages(
                "sagemaker",
                self.region,
                "ListNotebookInstances",
                None,
                |token| {
                    self.client
                        .list_notebook_instances()
                        .max_results(MAX_RESULTS)
                        .set_next_token(token)
                        .send()
                },
                |page| {
                    for n in page.notebook_instances() {
                        let Some(name) = n.notebook_instance_name() else {
                            continue;
                        };
                        listed.push(Listed {
                            name: name.to_string(),
                            arn: n.notebook_instance_arn().map(str::to_string),
                            summary: Obj::new()
                                .s("NotebookInstanceName", Some(name))
                                .s("NotebookInstanceArn", n.notebook_instance_arn())
                                .e("NotebookInstanceStatus", n.notebook_instance_status())
                                .e("InstanceType", n.instance_type())
                                .t("CreationTime", n.creation_time())
                                .build(),
                        });
                    }
                    page.next_token
                },
            )
            .await;
        self.describe_all(
            listed,
            "DescribeNotebookInstance",
            "NotebookInstanceName",
            |client, name| async move {
                let o = client
                    .describe_notebook_instance()
                    .notebook_instance_name(name)
                    .send()
                    .await
                    .map_err(describe_error)?;
                Ok(Obj::new()
                    .s("NotebookInstanceName", o.notebook_instance_name())
                    .s("NotebookInstanceArn", o.notebook_instance_arn())
                    .e("NotebookInstanceStatus", o.notebook_instance_status())
                    .s("FailureReason", o.failure_reason())
                    .s("Url", o.url())
                    .e("InstanceType", o.instance_type())
                    .s("SubnetId", o.subnet_id())
                    .strs("SecurityGroups", o.security_groups())
                    .s("RoleArn", o.role_arn())
                    .s("KmsKeyId", o.kms_key_id())
                    .s("NetworkInterfaceId", o.network_interface_id())
                    .t("LastModifiedTime", o.last_modified_time())
                    .t("CreationTime", o.creation_time())
                    .s(
                        "NotebookInstanceLifecycleConfigName",
                        o.notebook_instance_lifecycle_config_name(),
                    )
                    .e("DirectInternetAccess", o.direct_internet_access())
                    .n("VolumeSizeInGB", o.volume_size_in_gb())
                    .strs("AcceleratorTypes", o.accelerator_types())
                    .s("DefaultCodeRepository", o.default_code_repository())
                    .strs(
                        "AdditionalCodeRepositories",
                        o.additional_code_repositories(),
                    )
                    .e("RootAccess", o.root_access())
                    .s("PlatformIdentifier", o.platform_identifier())
                    .v(
                        "InstanceMetadataServiceConfiguration",
                        o.instance_metadata_service_configuration().map(|c| {
                            Obj::new()
                                .s(
                                    "MinimumInstanceMetadataServiceVersion",
                                    c.minimum_instance_metadata_service_version(),
                                )
                                .build()
                        }),
                    )
                    .build())
            },
        )
        .await
    }

    async fn domains(&self) -> Vec<Value> {
        let mut listed = Vec::new();
        self.ctx
            .pages(
                "sagemaker",
                self.region,
                "ListDomains",
                None,
                |token| {
                    self.client
                        .list_domains()
                        .max_results(MAX_RESULTS)
                        .set_next_token(token)
                        .send()
                },
                |page| {
                    for d in page.domains() {
                        let Some(id) = d.domain_id() else { continue };
                        listed.push(Listed {
                            name: id.to_string(),
                            arn: d.domain_arn().map(str::to_string),
                            summary: Obj::new()
                                .s("DomainId", Some(id))
                                .s("DomainArn", d.domain_arn())
                                .s("DomainName", d.domain_name())
                                .e("Status", d.status())
                                .t("CreationTime", d.creation_time())
                                .build(),
                        });
                    }
                    page.next_token
                },
            )
            .await;
        self.describe_all(
            listed,
            "DescribeDomain",
            "DomainId",
            |client, id| async move {
                let o = client
                    .describe_domain()
                    .domain_id(id)
                    .send()
                    .await
                    .map_err(describe_error)?;
                Ok(Obj::new()
                    .s("DomainId", o.domain_id())
                    .s("DomainArn", o.domain_arn())
                    .s("DomainName", o.domain_name())
                    .e("Status", o.status())
                    .s("FailureReason", o.failure_reason())
                    .t("CreationTime", o.creation_time())
                    .t("LastModifiedTime", o.last_modified_time())
                    .e("AuthMode", o.auth_mode())
                    .e("AppNetworkAccessType", o.app_network_access_type())
                    .s("VpcId", o.vpc_id())
                    .strs("SubnetIds", o.subnet_ids())
                    .s("KmsKeyId", o.kms_key_id())
                    .s("HomeEfsFileSystemId", o.home_efs_file_system_id())
                    .s(
                        "SecurityGroupIdForDomainBoundary",
                        o.security_group_id_for_domain_boundary(),
                    )
                    .e(
                        "AppSecurityGroupManagement",
                        o.app_security_group_management(),
                    )
                    .s("Url", o.url())
                    .v(
                        "DefaultUserSettings",
                        o.default_user_settings().map(user_settings),
                    )
                    .v(
                        "DefaultSpaceSettings",
                        o.default_space_settings().map(|s| {
                            Obj::new()
                                .s("ExecutionRole", s.execution_role())
                                .strs("SecurityGroups", s.security_groups())
                                .build()
                        }),
                    )
                    .v(
                        "DomainSettings",
                        o.domain_settings().map(|s| {
                            Obj::new()
                                .strs("SecurityGroupIds", s.security_group_ids())
                                .build()
                        }),
                    )
                    .build())
            },
        )
        .await
    }

    /// The most recent `max` training jobs, newest first by creation time.
    async fn training_jobs(&self, max: usize) -> Vec<Value> {
        let mut listed = Vec::new();
        // The page size shrinks as the bound nears, so no more jobs are listed than described.
        let count = AtomicUsize::new(0);
        if max > 0 {
            self.ctx
                .pages(
                    "sagemaker",
                    self.region,
                    "ListTrainingJobs",
                    None,
                    |token| {
                        let remaining = max
                            .saturating_sub(count.load(Ordering::Relaxed))
                            .clamp(1, MAX_RESULTS as usize);
                        self.client
                            .list_training_jobs()
                            .sort_by(SortBy::CreationTime)
                            .sort_order(SortOrder::Descending)
                            .max_results(remaining as i32)
                            .set_next_token(token)
                            .send()
                    },
                    |page| {
                        for j in page.training_job_summaries() {
                            let Some(name) = j.training_job_name() else {
                                continue;
                            };
                            if listed.len() < max {
                                listed.push(Listed {
                                    name: name.to_string(),
                                    arn: j.training_job_arn().map(str::to_string),
                                    summary: Obj::new()
                                        .s("TrainingJobName", Some(name))
                                        .s("TrainingJobArn", j.training_job_arn())
                                        .e("TrainingJobStatus", j.training_job_status())
                                        .t("CreationTime", j.creation_time())
                                        .build(),
                                });
                            }
                        }
                        count.store(listed.len(), Ordering::Relaxed);
                        if listed.len() >= max {
                            None
                        } else {
                            page.next_token
                        }
                    },
                )
                .await;
        }
        self.describe_all(
            listed,
            "DescribeTrainingJob",
            "TrainingJobName",
            |client, name| async move {
                let o = client
                    .describe_training_job()
                    .training_job_name(name)
                    .send()
                    .await
                    .map_err(describe_error)?;
                Ok(Obj::new()
                    .s("TrainingJobName", o.training_job_name())
                    .s("TrainingJobArn", o.training_job_arn())
                    .e("TrainingJobStatus", o.training_job_status())
                    .e("SecondaryStatus", o.secondary_status())
                    .s("FailureReason", o.failure_reason())
                    .s("RoleArn", o.role_arn())
                    .v("VpcConfig", o.vpc_config().map(vpc_config))
                    .b("EnableNetworkIsolation", o.enable_network_isolation())
                    .b(
                        "EnableInterContainerTrafficEncryption",
                        o.enable_inter_container_traffic_encryption(),
                    )
                    .b(
                        "EnableManagedSpotTraining",
                        o.enable_managed_spot_training(),
                    )
                    .v(
                        "OutputDataConfig",
                        o.output_data_config().map(|c| {
                            Obj::new()
                                .s("KmsKeyId", c.kms_key_id())
                                .s("S3OutputPath", c.s3_output_path())
                                .e("CompressionType", c.compression_type())
                                .build()
                        }),
                    )
                    .v(
                        "ResourceConfig",
                        o.resource_config().map(|c| {
                            Obj::new()
                                .e("InstanceType", c.instance_type())
                                .n("InstanceCount", c.instance_count())
                                .n("VolumeSizeInGB", c.volume_size_in_gb())
                                .s("VolumeKmsKeyId", c.volume_kms_key_id())
                                .build()
                        }),
                    )
                    .v(
                        "AlgorithmSpecification",
                        o.algorithm_specification().map(|a| {
                            Obj::new()
                                .s("TrainingImage", a.training_image())
                                .s("AlgorithmName", a.algorithm_name())
                                .e("TrainingInputMode", a.training_input_mode())
                                .build()
                        }),
                    )
                    .v(
                        "ModelArtifacts",
                        o.model_artifacts().map(|m| {
                            Obj::new()
                                .s("S3ModelArtifacts", m.s3_model_artifacts())
                                .build()
                        }),
                    )
                    .v(
                        "CheckpointConfig",
                        o.checkpoint_config().map(|c| {
                            Obj::new()
                                .s("S3Uri", c.s3_uri())
                                .s("LocalPath", c.local_path())
                                .build()
                        }),
                    )
                    .t("CreationTime", o.creation_time())
                    .t("TrainingStartTime", o.training_start_time())
                    .t("TrainingEndTime", o.training_end_time())
                    .t("LastModifiedTime", o.last_modified_time())
                    .build())
            },
        )
        .await
    }

    async fn models(&self) -> Vec<Value> {
        let mut listed = Vec::new();
        self.ctx
            .pages(
                "sagemaker",
                self.region,
                "ListModels",
                None,
                |token| {
                    self.client
                        .list_models()
                        .max_results(MAX_RESULTS)
                        .set_next_token(token)
                        .send()
                },
                |page| {
                    for m in page.models() {
                        let Some(name) = m.model_name() else { continue };
                        listed.push(Listed {
                            name: name.to_string(),
                            arn: m.model_arn().map(str::to_string),
                            summary: Obj::new()
                                .s("ModelName", Some(name))
                                .s("ModelArn", m.model_arn())
                                .t("CreationTime", m.creation_time())
                                .build(),
                        });
                    }
                    page.next_token
                },
            )
            .await;
        self.describe_all(
            listed,
            "DescribeModel",
            "ModelName",
            |client, name| async move {
                let o = client
                    .describe_model()
                    .model_name(name)
                    .send()
                    .await
                    .map_err(describe_error)?;
                Ok(Obj::new()
                    .s("ModelName", o.model_name())
                    .s("ModelArn", o.model_arn())
                    .s("ExecutionRoleArn", o.execution_role_arn())
                    .v("VpcConfig", o.vpc_config().map(vpc_config))
                    .b("EnableNetworkIsolation", o.enable_network_isolation())
                    .v("PrimaryContainer", o.primary_container().map(container))
                    .list("Containers", o.containers(), container)
                    .v(
                        "InferenceExecutionConfig",
                        o.inference_execution_config()
                            .map(|c| Obj::new().e("Mode", c.mode()).build()),
                    )
                    .t("CreationTime", o.creation_time())
                    .build())
            },
        )
        .await
    }

    async fn endpoint_configs(&self) -> Vec<Value> {
        let mut listed = Vec::new();
        self.ctx
            .pages(
                "sagemaker",
                self.region,
                "ListEndpointConfigs",
                None,
                |token| {
                    self.client
                        .list_endpoint_configs()
                        .max_results(MAX_RESULTS)
                        .set_next_token(token)
                        .send()
                },
                |page| {
                    for c in page.endpoint_configs() {
                        let Some(name) = c.endpoint_config_name() else {
                            continue;
                        };
                        listed.push(Listed {
                            name: name.to_string(),
                            arn: c.endpoint_config_arn().map(str::to_string),
                            summary: Obj::new()
                                .s("EndpointConfigName", Some(name))
                                .s("EndpointConfigArn", c.endpoint_config_arn())
                                .t("CreationTime", c.creation_time())
                                .build(),
                        });
                    }
                    page.next_token
                },
            )
            .await;
        self.describe_all(
            listed,
            "DescribeEndpointConfig",
            "EndpointConfigName",
            |client, name| async move {
                let o = client
                    .describe_endpoint_config()
                    .endpoint_config_name(name)
                    .send()
                    .await
                    .map_err(describe_error)?;
                Ok(Obj::new()
                    .s("EndpointConfigName", o.endpoint_config_name())
                    .s("EndpointConfigArn", o.endpoint_config_arn())
                    .s("KmsKeyId", o.kms_key_id())
                    .list(
                        "ProductionVariants",
                        o.production_variants(),
                        production_variant,
                    )
                    .list(
                        "ShadowProductionVariants",
                        o.shadow_production_variants(),
                        production_variant,
                    )
                    .v(
                        "DataCaptureConfig",
                        o.data_capture_config().map(|c| {
                            Obj::new()
                                .b("EnableCapture", c.enable_capture())
                                .n("InitialSamplingPercentage", c.initial_sampling_percentage())
                                .s("DestinationS3Uri", c.destination_s3_uri())
                                .s("KmsKeyId", c.kms_key_id())
                                .build()
                        }),
                    )
                    .v(
                        "AsyncInferenceConfig",
                        o.async_inference_config().map(|c| {
                            Obj::new()
                                .v(
                                    "OutputConfig",
                                    c.output_config().map(|o| {
                                        Obj::new()
                                            .s("KmsKeyId", o.kms_key_id())
                                            .s("S3OutputPath", o.s3_output_path())
                                            .s("S3FailurePath", o.s3_failure_path())
                                            .build()
                                    }),
                                )
                                .build()
                        }),
                    )
                    .s("ExecutionRoleArn", o.execution_role_arn())
                    .v("VpcConfig", o.vpc_config().map(vpc_config))
                    .b("EnableNetworkIsolation", o.enable_network_isolation())
                    .t("CreationTime", o.creation_time())
                    .build())
            },
        )
        .await
    }
}

/// ListTags for one resource (all pages); `None` after recording a gap.
async fn resource_tags(
    ctx: &Ctx,
    client: &aws_sdk_sagemaker::Client,
    region: &str,
    name: &str,
    arn: &str,
) -> Option<Value> {
    let mut tags: Vec<(Option<String>, Option<String>)> = Vec::new();
    let complete = ctx
        .pages(
            "sagemaker",
            region,
            "ListTags",
            Some(name),
            |token| {
                client
                    .list_tags()
                    .resource_arn(arn)
                    .max_results(MAX_RESULTS)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                tags.extend(
                    page.tags()
                        .iter()
                        .map(|t| (t.key().map(str::to_string), t.value().map(str::to_string))),
                );
                page.next_token
            },
        )
        .await;
    complete.then(|| {
        Obj::new()
            .tags(tags.iter().map(|(k, v)| (k.as_deref(), v.as_deref())))
            .build()["Tags"]
            .take()
    })
}

/// The error code and message of a failed Describe call, for the gap.
fn describe_error<E, R>(
    e: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> (String, String)
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    super::ctx::error_parts(&e)
}

fn vpc_config(c: &VpcConfig) -> Value {
    Obj::new()
        .strs("SecurityGroupIds", c.security_group_ids())
        .strs("Subnets", c.subnets())
        .build()
}

fn user_settings(u: &UserSettings) -> Value {
    Obj::new()
        .s("ExecutionRole", u.execution_role())
        .strs("SecurityGroups", u.security_groups())
        .v(
            "SharingSettings",
            u.sharing_settings().map(|s| {
                Obj::new()
                    .e("NotebookOutputOption", s.notebook_output_option())
                    .s("S3OutputPath", s.s3_output_path())
                    .s("S3KmsKeyId", s.s3_kms_key_id())
                    .build()
            }),
        )
        .s("DefaultLandingUri", u.default_landing_uri())
        .e("StudioWebPortal", u.studio_web_portal())
        .build()
}

/// A container definition without its `Environment`, which may hold secrets.
fn container(c: &ContainerDefinition) -> Value {
    Obj::new()
        .s("ContainerHostname", c.container_hostname())
        .s("Image", c.image())
        .e("Mode", c.mode())
        .s("ModelDataUrl", c.model_data_url())
        .s("ModelPackageName", c.model_package_name())
        .build()
}

fn production_variant(v: &ProductionVariant) -> Value {
    Obj::new()
        .s("VariantName", v.variant_name())
        .s("ModelName", v.model_name())
        .n("InitialInstanceCount", v.initial_instance_count())
        .e("InstanceType", v.instance_type())
        .f("InitialVariantWeight", v.initial_variant_weight())
        .n("VolumeSizeInGB", v.volume_size_in_gb())
        .b("EnableSSMAccess", v.enable_ssm_access())
        .build()
}
