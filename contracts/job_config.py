"""`processingjobconfig.json` and `resourceconfig.json`, the two files a runtime writes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contracts._base import ContractModel


class AppSpecification(ContractModel):
    """The image and its entry point overrides."""

    image_uri: str = Field(alias="ImageUri")
    container_entrypoint: list[str] | None = Field(default=None, alias="ContainerEntrypoint")
    container_arguments: list[str] | None = Field(default=None, alias="ContainerArguments")


class S3Input(ContractModel):
    """Where an input comes from (`S3Uri`, here any URI) and where it is mounted."""

    local_path: str = Field(alias="LocalPath")
    s3_uri: str = Field(alias="S3Uri")
    s3_data_type: str = Field(default="S3Prefix", alias="S3DataType")
    s3_input_mode: str = Field(default="File", alias="S3InputMode")


class ProcessingInput(ContractModel):
    """One named input."""

    input_name: str = Field(alias="InputName")
    s3_input: S3Input = Field(alias="S3Input")


class S3Output(ContractModel):
    """Where an output directory is uploaded (here: copied) to."""

    local_path: str = Field(alias="LocalPath")
    s3_uri: str = Field(alias="S3Uri")
    s3_upload_mode: Literal["Continuous", "EndOfJob"] = Field(
        default="EndOfJob", alias="S3UploadMode"
    )


class ProcessingOutput(ContractModel):
    """One named output."""

    output_name: str = Field(alias="OutputName")
    s3_output: S3Output = Field(alias="S3Output")


class ProcessingOutputConfig(ContractModel):
    """The job's outputs."""

    outputs: list[ProcessingOutput] = Field(alias="Outputs")


class ClusterConfig(ContractModel):
    """The resources of the one host a local job runs on."""

    instance_count: int = Field(default=1, alias="InstanceCount")
    instance_type: str = Field(default="local", alias="InstanceType")
    volume_size_in_gb: int = Field(default=1, alias="VolumeSizeInGB")


class ProcessingResources(ContractModel):
    """Wrapper of the cluster configuration, as in `CreateProcessingJob`."""

    cluster_config: ClusterConfig = Field(default_factory=ClusterConfig, alias="ClusterConfig")


class StoppingCondition(ContractModel):
    """The deadline of the job."""

    max_runtime_in_seconds: int = Field(alias="MaxRuntimeInSeconds")


class ProcessingJobConfig(ContractModel):
    """`/opt/ml/config/processingjobconfig.json`: the whole job request as the container sees it."""

    processing_job_arn: str = Field(alias="ProcessingJobArn")
    processing_job_name: str = Field(alias="ProcessingJobName")
    app_specification: AppSpecification = Field(alias="AppSpecification")
    environment: dict[str, str] = Field(default_factory=dict, alias="Environment")
    processing_inputs: list[ProcessingInput] = Field(default_factory=list, alias="ProcessingInputs")
    processing_output_config: ProcessingOutputConfig = Field(alias="ProcessingOutputConfig")
    processing_resources: ProcessingResources = Field(
        default_factory=ProcessingResources, alias="ProcessingResources"
    )
    role_arn: str | None = Field(default=None, alias="RoleArn")
    stopping_condition: StoppingCondition = Field(alias="StoppingCondition")


class ResourceConfig(ContractModel):
    """`/opt/ml/config/resourceconfig.json`: the host list of the job."""

    current_host: str = "algo-1"
    hosts: list[str] = Field(default_factory=lambda: ["algo-1"])
