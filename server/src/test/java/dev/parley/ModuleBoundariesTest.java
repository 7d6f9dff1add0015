package dev.parley;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The module rules of ARCHITECTURE.md, checked on the compiled code. */
@AnalyzeClasses(packages = "dev.parley", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleBoundariesTest {

    @ArchTest
    static final ArchRule modulesHaveNoCycles = slices().matching("dev.parley.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule platformDependsOnNoFeatureModule = noClasses().that().resideInAPackage("dev.parley.platform..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.parley.auth..", "dev.parley.session..",
                    "dev.parley.user..", "dev.parley.messaging..", "dev.parley.realtime..", "dev.parley.mail..",
                    "dev.parley.ratelimit..");

    @ArchTest
    static final ArchRule messagingKnowsNothingOfSocketIo = noClasses().that().resideInAPackage("dev.parley.messaging..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.parley.realtime..", "com.corundumstudio..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule realtimeKnowsNothingOfSql = noClasses().that().resideInAPackage("dev.parley.realtime..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.springframework.jdbc..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyRepositoriesTouchJdbc = noClasses().that().haveSimpleNameNotEndingWith("Repository")
            .and().resideOutsideOfPackage("dev.parley.platform..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework.jdbc..")
            .allowEmptyShould(true);
}
