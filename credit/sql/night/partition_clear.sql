-- One partition's staged results (before it stages them again: a re-run replaces them).
with decisions as (
    delete from night_partition_decisions
     where night = :night and digest = :digest and plan = :plan and partition = :partition
), grades as (
    delete from night_partition_grades
     where night = :night and digest = :digest and plan = :plan and partition = :partition
)
delete from night_partitions
 where night = :night and digest = :digest and plan = :plan and partition = :partition
